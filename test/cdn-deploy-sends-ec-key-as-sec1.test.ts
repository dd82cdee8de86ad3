/**
 * "RSA only" is not established for SwiftFederation (its docs pair an ECC-issued certificate with a key, and an older
 * example uses PKCS#8): certrelay sends RSA keys as PKCS#1, EC keys as SEC1, and lets the API's own answer decide.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";

describe("the CDN gets RSA keys as PKCS#1 and EC keys as SEC1", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("uploads an EC key as SEC1 (BEGIN EC PRIVATE KEY) instead of refusing it locally", async () => {
    const material = await f.ca.issue({ commonName: "ec.example.org", keyType: "ecc", days: 90 });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const result = await target.deploy(material);
      expect(result.changed).toBe(true);
      expect(f.sandbox.count("POST /sfd/v2.0/certs")).toBe(1);
      const [record] = f.sandbox.findBySerial(result.serial);
      expect(record?.material?.privateKey).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    } finally {
      await target.close();
    }
  });

  it("converts a PKCS#8 RSA key to PKCS#1 before upload", async () => {
    const material = await f.ca.issue({ commonName: "pkcs8.example.org", days: 90 });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const result = await target.deploy(material);
      expect(result.changed).toBe(true);
      const [record] = f.sandbox.findBySerial(result.serial);
      expect(record?.material?.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    } finally {
      await target.close();
    }
  });
});
