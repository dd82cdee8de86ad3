/**
 * Renewal throughput: certificates taken through the whole pipeline per second (RSA-2048 key and CSR, reseller
 * order and download, CDN upload, verify through the API, promote in Secrets Manager on moto), against the
 * machine's own RSA-2048 key-generation rate (crypto.generateKeyPair, as many at once) as the ceiling. While the
 * rotations run, the event loop's delay is sampled: keys are generated on libuv's thread pool, so the other
 * certificates' I/O keeps going meanwhile.
 */
import { generateKeyPair } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { promisify } from "node:util";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import pLimit from "p-limit";
import { parseConfig } from "../src/config/index.js";
import { rotateCertificate } from "../src/pipeline/index.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import { DEFAULT_PLANS } from "../src/sandbox/reseller/server.js";
import { SecretsManagerStore } from "../src/store/index.js";
import { awsClientConfig, startMoto } from "../test/support/moto.js";
import { benchContext } from "./bench-context.js";
import { rate, startSandboxChild, timed, type Row } from "./lib.js";
import { silentLogger, systemClock } from "../src/model.js";

const generateRsa = promisify(generateKeyPair);

/** Keys per second, and the event loop's p99 delay meanwhile (small: the keys are made on libuv's thread pool). */
async function keygenRate(count: number, concurrency: number): Promise<{ perSecond: number; p99Ms: number }> {
  const limit = pLimit(concurrency);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const { ms } = await timed(() =>
    Promise.all(Array.from({ length: count }, () => limit(() => generateRsa("rsa", { modulusLength: 2048 })))),
  );
  delay.disable();
  return { perSecond: rate(count, ms), p99Ms: delay.percentile(99) / 1e6 };
}

export async function measureRenewal(count: number, concurrency: number): Promise<Row[]> {
  const moto = await startMoto();
  const child = await startSandboxChild(0);
  const sm = new SecretsManagerClient(awsClientConfig(moto.endpoint));
  try {
    const store = new SecretsManagerStore(sm);
    const { reseller, cdn } = child.info;
    if (!reseller) throw new Error("the sandbox child started no reseller");
    await store.putCredentials("certrelay/reseller", reseller.credentials);
    await store.putCredentials("certrelay/cdn", cdn.credentials);
    const lines = [`concurrency: ${concurrency}`, "certificates:"];
    for (let i = 0; i < count; i += 1) {
      lines.push(
        `  - name: renew-${i}`,
        `    secret: certrelay/renew/${i}`,
        `    commonName: renew-${i}.bench.example`,
        `    issuer: { provider: reseller, endpoint: ${JSON.stringify(reseller.url)}, credentials: certrelay/reseller, dcvType: DNS, plan: ${DEFAULT_PLANS[0]?.id ?? ""} }`,
        "    targets:",
        `      - { provider: cdn, endpoint: ${JSON.stringify(cdn.url)}, credentials: certrelay/cdn }`,
      );
    }
    const config = await parseConfig(`${lines.join("\n")}\n`, "renewal bench");
    const ctx = { ...benchContext(child.info.rootPem, concurrency), logger: silentLogger };
    const providers = new StoreBackedProviders(store, ctx);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    let reports;
    let ms: number;
    try {
      delay.enable();
      ({ ms, value: reports } = await timed(() => {
        const limit = pLimit(concurrency);
        return Promise.all(
          config.certificates.map((cert) =>
            limit(() =>
              rotateCertificate(cert, 30, {
                store,
                providers,
                clock: systemClock,
                logger: silentLogger,
                dryRun: false,
              }),
            ),
          ),
        );
      }));
      delay.disable();
    } finally {
      await providers.close();
    }
    const renewed = reports.filter((r) => r.action === "renewed").length;
    if (renewed !== count)
      throw new Error(
        `only ${renewed} of ${count} certificates were renewed (${reports.find((r) => r.action !== "renewed")?.error?.message ?? "?"})`,
      );
    const ceiling = await keygenRate(count, concurrency);
    const rotations = rate(count, ms);
    return [
      {
        group: "renewal",
        measure: `rotations, whole pipeline incl. RSA-2048 key + CSR (reseller -> CDN, moto Secrets Manager; ${count} certificates, ${concurrency} at a time)`,
        value: `${rotations.toFixed(2)} rotations/s`,
        reference: `RSA-2048 keygen ${ceiling.perSecond.toFixed(1)} keys/s (crypto.generateKeyPair, ${concurrency} at a time); event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms during the rotations, ${ceiling.p99Ms.toFixed(0)} ms during keygen alone`,
        target: "-",
        met: `(${Math.round((rotations / ceiling.perSecond) * 100)}% of keygen)`,
      },
    ];
  } finally {
    sm.destroy();
    await child.stop();
    await moto.stop();
  }
}
