/**
 * Served-certificate checks against the CDN sandbox's HTTPS edge: certrelay's `target.verify` (a TLS handshake
 * with SNI, chain and name checked) in a loop, beside `openssl s_client` doing the same handshake per process.
 */
import { spawnSync } from "node:child_process";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { certFacts } from "../src/x509/index.js";
import { benchContext } from "./bench-context.js";
import { fmtRate, rate, startSandboxChild, timed, type Row } from "./lib.js";

export async function measureTlsVerify(durationMs: number, opensslRuns: number): Promise<Row[]> {
  const child = await startSandboxChild(0);
  try {
    const { url, credentials, edgePort } = child.info.cdn;
    const address = `127.0.0.1:${edgePort}`;
    const target = createCdnTarget(
      { endpoint: url, verifyHost: child.info.edgeHost, verifyAddress: address, serviceId: "bench-service" },
      credentials,
      benchContext(child.info.rootPem),
    );
    const deployed = await target.deploy(child.info.edgeMaterial);
    const serial = certFacts(child.info.edgeMaterial.certificate).serial;
    if ((await target.verify(serial)).ok !== true) throw new Error(`edge does not serve ${deployed.serial}`);
    let checks = 0;
    const loop = await timed(async () => {
      const started = performance.now();
      while (performance.now() - started < durationMs) {
        const result = await target.verify(serial);
        if (!result.ok) throw new Error(`verify failed mid-loop: ${result.detail}`);
        checks += 1;
      }
    });
    await target.close();
    const ours = rate(checks, loop.ms);

    let served = 0;
    const openssl = await timed(async () => {
      for (let i = 0; i < opensslRuns; i += 1) {
        const r = spawnSync("openssl", ["s_client", "-connect", address, "-servername", child.info.edgeHost], {
          input: "",
          encoding: "utf8",
          timeout: 10_000,
        });
        if (r.stdout.includes("BEGIN CERTIFICATE")) served += 1;
      }
    });
    const theirs = rate(served, openssl.ms);
    return [
      {
        group: "TLS verify",
        measure: `target.verify against the CDN edge (${checks} checks)`,
        value: fmtRate(ours, "checks"),
        reference: `openssl s_client loop ${fmtRate(theirs, "checks")} (${served}/${opensslRuns})`,
        target: "-",
        met: "",
      },
    ];
  } finally {
    await child.stop();
  }
}
