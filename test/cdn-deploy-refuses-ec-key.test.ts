import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";

describe("the CDN takes PKCS#1 RSA keys only", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("refuses an EC key with KEY_UNSUPPORTED before any request", async () => {
    const material = await f.ca.issue({ commonName: "ec.example.org", keyType: "ecc", days: 90 });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const deploy = target.deploy(material, { dryRun: false });
      await expect(deploy).rejects.toMatchObject({ name: "InputError", code: "KEY_UNSUPPORTED", field: "private-key" });
      await expect(deploy).rejects.toThrow(/RSA/);
      expect(f.sandbox.requestCount).toBe(0);
    } finally {
      await target.close();
    }
  });

  it("converts a PKCS#8 RSA key to PKCS#1 before upload", async () => {
    const material = await f.ca.issue({ commonName: "pkcs8.example.org", days: 90 });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const result = await target.deploy(material, { dryRun: false });
      expect(result.changed).toBe(true);
      const [record] = f.sandbox.findBySerial(result.serial);
      expect(record?.material?.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    } finally {
      await target.close();
    }
  });
});
