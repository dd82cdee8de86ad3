/**
 * The demo's ACME part: a certificate renewed from Let's Encrypt's Pebble test CA over DNS-01 (lego's httpreq
 * provider, answered by pebble-challtestsrv), deployed to the CDN and the PBX sandboxes and checked over TLS. Runs
 * when `pebble` is installed; otherwise says how to get it.
 */
import { connect } from "node:tls";
import { shortSerial, type CliIo } from "../cli/output.js";
import { progressLine } from "../cli/report.js";
import { parseConfig } from "../config/index.js";
import { DAY_MS, type Clock } from "../model.js";
import { runPipeline } from "../pipeline/index.js";
import { createTarget, StoreBackedProviders } from "../providers/registry.js";
import { startHttpreqEndpoint } from "../sandbox/acme/httpreq-endpoint.js";
import { PEBBLE_INSTALL_HINT, pebbleInstalled, startPebble } from "../sandbox/acme/pebble.js";
import { certFacts } from "../x509/index.js";
import { DEMO_SECRETS, type DemoWorld } from "./world.js";

const HOST = "shop.example.com";

function served(address: string, ca: string): Promise<{ serial: string; trusted: boolean }> {
  const at = address.lastIndexOf(":");
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: address.slice(0, at),
      port: Number(address.slice(at + 1)),
      servername: HOST,
      ca,
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => socket.destroy(new Error("no TLS handshake within 5 s")), 5_000);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const serial = (socket.getPeerCertificate().serialNumber ?? "").toUpperCase().replace(/^0+(?=.)/, "");
      socket.end();
      resolve({ serial, trusted: socket.authorized });
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** true: renewed and served; false: something failed; undefined: skipped (no Pebble). */
export async function acmeDemo(world: DemoWorld, io: CliIo, clock: Clock): Promise<boolean | undefined> {
  const c = io.colors;
  io.out(c.bold("ACME:") + " a Let's Encrypt-style certificate renewed over DNS-01");
  if (!(await pebbleInstalled())) {
    io.out(c.dim(`  skipped: Pebble is not on PATH; ${PEBBLE_INSTALL_HINT}`));
    return undefined;
  }
  const pebble = await startPebble({ ca: world.sandbox.ca });
  const dns = await startHttpreqEndpoint((fqdn, values) => pebble.setTxt(fqdn, values));
  try {
    io.out(c.dim(`  Pebble ${pebble.directoryUrl}, DNS-01 via lego's httpreq provider -> pebble-challtestsrv`));
    await world.store.putCredentials("demo/acme", {});
    const now = clock();
    // a 90-day certificate with 5 days left, live on the CDN and the PBX
    const old = await world.sandbox.ca.issue({
      commonName: HOST,
      sans: [HOST],
      notBefore: new Date(now.getTime() - 85 * DAY_MS),
      days: 90,
    });
    await world.store.putCurrent("demo/shop", old);
    const config = await parseConfig(`
certificates:
  - name: shop
    secret: demo/shop
    commonName: ${HOST}
    issuer: { provider: acme, directory: "${pebble.directoryUrl}", credentials: demo/acme, email: ops@example.com, acceptTos: true, keyType: rsa2048, dns: { provider: httpreq, endpoint: "${dns.url}", pollingInterval: 1, propagationTimeout: 10 } }
    targets:
      - { provider: cdn, endpoint: "${world.sandbox.urls.cdn}", credentials: ${DEMO_SECRETS.cdn}, verifyHost: ${HOST}, verifyAddress: "${world.sandbox.urls.edge}", serviceId: demo-service }
      - { provider: yeastar, endpoint: "${world.sandbox.urls.yeastar}", credentials: ${DEMO_SECRETS.yeastar}, certificateType: server, pruneOld: true }
`);
    // the CDN edge is checked against Pebble's issuing root, as a browser checks against Let's Encrypt's
    const ctx = {
      ...world.ctx,
      ca: `${world.ctx.ca ?? ""}${pebble.issuingRootPem}`,
      poll: { intervalMs: 25, maxWaitMs: 20_000 },
    };
    for (const target of config.certificates[0]?.targets ?? []) {
      const live = createTarget(target, await world.store.getCredentials(target.credentials), ctx);
      try {
        await live.deploy(old);
      } finally {
        await live.close();
      }
    }
    const summary = await runPipeline(
      config,
      {
        store: world.store,
        providers: new StoreBackedProviders(world.store, ctx),
        clock,
        logger: world.ctx.logger,
        dryRun: false,
      },
      { onProgress: (report, done, total) => io.out(progressLine(report, done, total, c, 5)) },
    );
    const current = await world.store.getCurrent("demo/shop");
    const want = current ? certFacts(current.certificate).serial : "";
    const edge = await served(world.sandbox.urls.edge, pebble.issuingRootPem);
    const ok = summary.ok && summary.counts.renewed === 1 && edge.trusted && edge.serial === want;
    const issuer = current ? certFacts(current.certificate).issuer : "";
    io.out(
      `  ${HOST}: ${shortSerial(certFacts(old.certificate).serial)} -> ${shortSerial(want)} issued by ${issuer}; CDN edge serves ${shortSerial(edge.serial, 20)} ` +
        (ok
          ? c.green("(renewed from Pebble, chain trusted up to Pebble's root, also on the PBX)")
          : c.red("(not as expected)")),
    );
    io.out(c.dim(`  TXT records left after validation: ${dns.records.size}`));
    return ok && dns.records.size === 0;
  } finally {
    await dns.stop();
    await pebble.stop();
  }
}
