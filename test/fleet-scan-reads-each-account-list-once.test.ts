import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/index.js";
import { scanFleet } from "../src/fleet/index.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import { startCdnSandbox, seedCdnCertificates, type CdnSandbox } from "../src/sandbox/cdn/server.js";
import { startEnosSandbox, type EnosSandbox } from "../src/sandbox/enos/server.js";
import { certFacts } from "../src/x509/index.js";
import { DAY, startFleetFixture, type FleetFixture } from "./support/fleet.js";

const LIST = "GET /sfd/v2.0/certs";
/** the CDN target's list page size */

let f: FleetFixture;
let other: CdnSandbox;
let enos: EnosSandbox;

beforeAll(async () => {
  f = await startFleetFixture();
  other = await startCdnSandbox({
    ca: f.ca,
    clock: f.clock.now,
    accessKeyId: "OTHERACCOUNT",
    accessKeySecret: "other-account-secret",
  });
  await f.secrets.putCredentials("certrelay/cdn-other", other.credentials);
  enos = await startEnosSandbox({
    ca: f.ca,
    clock: f.clock.now,
    devices: [],
    products: [{ productKey: "fleetProduct", maxValidDay: 3650, biDirectional: true }],
  });
  await f.secrets.putCredentials("certrelay/enos", enos.credentials);
});
afterAll(async () => {
  await enos?.stop();
  await other?.stop();
  await f?.stop();
});

/** Store material for `secret`, valid 60 more days; returns its serial. */
async function seedStore(secret: string, host: string): Promise<string> {
  const notAfter = new Date(f.clock.now().getTime() + 60 * DAY);
  const material = await f.ca.issue({
    commonName: host,
    keyType: "ecc",
    notBefore: new Date(notAfter.getTime() - 90 * DAY),
    notAfter,
  });
  await f.secrets.putCurrent(secret, material);
  return certFacts(material.certificate).serial;
}

/** The account's record of a certificate, as an earlier upload left it. */
function seedRecord(sandbox: CdnSandbox, host: string, serial: string): void {
  sandbox.seed(1, (_n, id, customerId) => ({
    id,
    customerId,
    commonName: host,
    sans: [host],
    serialHex: serial,
    serialDecimal: BigInt(`0x${serial}`).toString(10),
    issuerCommonName: "Fleet Test Intermediate CA",
    organization: "",
    organizationalUnit: "",
    country: "SG",
    stateOrProvince: "",
    locality: "",
    validFrom: f.clock.now(),
    validTo: new Date(f.clock.now().getTime() + 60 * DAY),
    created: f.clock.now(),
  }));
}

describe("fleet scan with CDN targets verified through the API (no verifyHost)", () => {
  it("reads each account's certificate list once for the whole run and still finds the one that is missing", async () => {
    // other customers' certificates around ours: each account's list spans several pages
    seedCdnCertificates(f.cdn, 230);
    seedCdnCertificates(other, 120);
    const lines = ["renewBeforeDays: 30", "concurrency: 4", "certificates:"];
    const target = (sandbox: CdnSandbox, credentials: string) => [
      `      - provider: cdn`,
      `        endpoint: ${sandbox.url}`,
      `        credentials: ${credentials}`,
    ];
    for (let i = 0; i < 24; i += 1) {
      const onFirst = i % 3 !== 2;
      const onOther = i % 3 !== 0;
      const host = `api-${i}.fleet.example`;
      const serial = await seedStore(`certrelay/api/${i}`, host);
      if (onFirst) seedRecord(f.cdn, host, serial);
      // certificate 23 was never uploaded to the other account
      if (onOther && i !== 23) seedRecord(other, host, serial);
      lines.push(
        `  - name: api-${i}`,
        `    secret: certrelay/api/${i}`,
        "    targets:",
        ...(onFirst ? target(f.cdn, "certrelay/cdn") : []),
        ...(onOther ? target(other, "certrelay/cdn-other") : []),
      );
    }
    const config = await parseConfig(`${lines.join("\n")}\n`, "test certrelay.yml");
    f.cdn.resetStats();
    other.resetStats();
    const providers = new StoreBackedProviders(f.secrets, f.ctx);
    try {
      const entries = await scanFleet(config, { store: f.secrets, clock: f.clock.now, providers, concurrency: 4 });
      const reasons = Object.fromEntries(entries.map((e) => [e.certificate.name, e.reason]));
      expect(reasons["api-23"]).toBe("drift");
      expect(entries.filter((e) => e.reason === "not-due")).toHaveLength(23);
      expect(entries.find((e) => e.certificate.name === "api-23")?.report.detail).toContain("cdn");
    } finally {
      await providers.close();
    }
    // the list has no paging (it takes no parameters): one request per account
    expect(f.cdn.count(LIST)).toBe(1);
    expect(other.count(LIST)).toBe(1);
    expect(f.cdn.count("GET /sfd/v2.0/certs/:id")).toBe(0);
  });

  it("asks EnOS for one access token for all the devices of one application", async () => {
    const lines = ["renewBeforeDays: 30", "concurrency: 4", "certificates:"];
    const now = f.clock.now().getTime();
    for (let i = 0; i < 12; i += 1) {
      const host = `device-${i}.fleet.example`;
      const assetId = `fleet-device-${i}`;
      await seedStore(`certrelay/device/${i}`, host);
      const material = await f.secrets.getCurrent(`certrelay/device/${i}`);
      enos.addDevice({ assetId, productKey: "fleetProduct", deviceKey: assetId });
      // the device holds the stored certificate, as an earlier EnOS issuance left it
      enos.registry.addCert({
        certSN: String(40_000 + i),
        assetId,
        cert: material?.certificate ?? "",
        csr: "",
        publicKeyPem: "",
        issueAuthority: "ECC",
        subject: `CN=${host}`,
        issuer: "CN=Fleet Test Intermediate CA",
        signDate: now,
        effectiveDate: now,
        expireDate: now + 60 * DAY,
      });
      lines.push(
        `  - name: device-${i}`,
        `    secret: certrelay/device/${i}`,
        "    targets:",
        `      - { provider: enos, endpoint: "${enos.url}", credentials: certrelay/enos, orgId: ${enos.orgId}, assetId: ${assetId} }`,
      );
    }
    const config = await parseConfig(`${lines.join("\n")}\n`, "test certrelay.yml");
    enos.resetStats();
    const providers = new StoreBackedProviders(f.secrets, f.ctx);
    try {
      const entries = await scanFleet(config, { store: f.secrets, clock: f.clock.now, providers, concurrency: 4 });
      expect(entries.map((e) => e.reason)).toEqual(Array(12).fill("not-due"));
    } finally {
      await providers.close();
    }
    expect(enos.count("POST /apim-token-service/v2.0/token/get")).toBe(1);
    expect(enos.count("GET /connect-service/v2.0/certificates")).toBe(12);
  });
});
