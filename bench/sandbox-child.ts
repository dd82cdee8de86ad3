/**
 * The vendor sandboxes for the bench, in their own process: `tsx bench/sandbox-child.ts <count>` seeds `count`
 * certificates, reports its URLs over IPC and stops on the "stop" message.
 */
import "reflect-metadata";
import { TestCA } from "../src/sandbox/ca.js";
import { seedCdnCertificates, startCdnSandbox } from "../src/sandbox/cdn/server.js";
import { seedResellerCertificates, startResellerSandbox } from "../src/sandbox/reseller/server.js";
import type { SandboxChildInfo } from "./lib.js";

const count = Number(process.argv[2] ?? "0");
const edgeHost = "www.bench.example";

const ca = await TestCA.create({ name: "Certrelay Bench" });
const cdn = await startCdnSandbox({ ca });
const reseller = await startResellerSandbox({ ca });
const ids = seedCdnCertificates(cdn, count, { commonName: "host-{i}.bench.example" });
// orders seed-1 .. seed-<count>
seedResellerCertificates(reseller, count);
const stop = () => Promise.allSettled([cdn.stop(), reseller.stop()]).then(() => process.exit(0));
const edgeMaterial = await ca.issue({ commonName: edgeHost, days: 90 });

const info: SandboxChildInfo = {
  cdn: { url: cdn.url, edgePort: cdn.edgePort, credentials: cdn.credentials, firstId: ids[0] ?? 0, seeded: ids.length },
  reseller: { url: reseller.url, credentials: { ...reseller.credentials }, seeded: count },
  rootPem: ca.rootPem,
  edgeHost,
  edgeMaterial,
};

process.on("message", (message) => {
  if (message !== "stop") return;
  void stop();
});
// the parent going away must not leave servers listening
process.on("disconnect", () => void stop());
process.send?.(info);
