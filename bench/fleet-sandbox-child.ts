/**
 * The vendor sandboxes of the fleet bench, in their own process: `tsx bench/fleet-sandbox-child.ts <plan.json>`.
 * The plan lists every managed certificate (serial, dates, PEM) and which targets hold it; the CDN account gets one
 * record per CDN-targeted certificate, each EnOS device the certificate bound to it. Reports URLs over IPC; answers
 * "stats" (requests per route since the last "reset") and stops on "stop" or when the parent goes away.
 */
import "reflect-metadata";
import { TestCA } from "../src/sandbox/ca.js";
import { startCdnSandbox } from "../src/sandbox/cdn/server.js";
import { startEnosSandbox } from "../src/sandbox/enos/server.js";
import { startResellerSandbox } from "../src/sandbox/reseller/server.js";
import { readFileSync } from "node:fs";
import type { FleetChildInfo, FleetPlan } from "./fleet-plan.js";

const plan = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as FleetPlan;
const ca = await TestCA.create({ name: "Certrelay Fleet Bench" });
const cdn = await startCdnSandbox({ ca, edge: false });
const enos = await startEnosSandbox({
  ca,
  devices: [],
  products: [{ productKey: "fleetProduct", maxValidDay: 3650, biDirectional: true }],
});
const reseller = await startResellerSandbox({ ca });

const now = Date.now();
const onCdn = plan.certificates.filter((c) => c.cdn);
cdn.seed(onCdn.length, (i, id, customerId) => {
  const c = onCdn[i] as (typeof onCdn)[number];
  return {
    id,
    customerId,
    commonName: c.commonName,
    sans: [c.commonName],
    serialHex: c.serial,
    serialDecimal: BigInt(`0x${c.serial}`).toString(10),
    issuerCommonName: "Certrelay Fleet Bench Intermediate CA",
    organization: "",
    organizationalUnit: "",
    country: "SG",
    stateOrProvince: "",
    locality: "",
    validFrom: new Date(c.notBefore),
    validTo: new Date(c.notAfter),
    created: new Date(now),
  };
});
let certSN = 50_000;
for (const c of plan.certificates) {
  if (!c.enosDevice) continue;
  enos.addDevice({ assetId: c.enosDevice, productKey: "fleetProduct", deviceKey: c.enosDevice });
  enos.registry.addCert({
    certSN: String(certSN++),
    assetId: c.enosDevice,
    cert: c.certificate,
    csr: "",
    publicKeyPem: "",
    issueAuthority: "ECC",
    subject: `CN=${c.commonName}`,
    issuer: "CN=Certrelay Fleet Bench Intermediate CA",
    signDate: c.notBefore,
    effectiveDate: c.notBefore,
    expireDate: c.notAfter,
  });
}

const servers = { cdn, enos, reseller };
const stop = () => Promise.allSettled(Object.values(servers).map((s) => s.stop())).then(() => process.exit(0));
const info: FleetChildInfo = {
  cdn: { url: cdn.url, credentials: cdn.credentials },
  enos: { url: enos.url, credentials: enos.credentials, orgId: enos.orgId },
  reseller: {
    url: reseller.url,
    credentials: { username: reseller.credentials.username, apiKey: reseller.credentials.apiKey },
  },
};

process.on("message", (message) => {
  if (message === "stop") void stop();
  else if (message === "reset") {
    for (const s of Object.values(servers)) s.resetStats();
    process.send?.({ reset: true });
  } else if (message === "stats") {
    process.send?.({ stats: Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, s.stats()])) });
  }
});
process.on("disconnect", () => void stop());
process.send?.(info);
