import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { TestCA } from "../src/sandbox/ca.js";
import { CDN_NOW, rawCall, startCdnFixture, toPkcs1, type CdnFixture } from "./support/cdn.js";

const UPLOAD = "/sfd/v2.0/certs";

describe("POST /sfd/v2.0/certs answers the spec's 400 errors", () => {
  let f: CdnFixture;
  let good: CertificateMaterial;
  beforeAll(async () => {
    f = await startCdnFixture();
    good = await f.ca.issue({ commonName: "errors.example.org", days: 90 });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("Certificate.Invalid: Certificate is empty or invalid.", async () => {
    for (const certificate of [
      "",
      "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----",
      undefined,
    ]) {
      const res = await rawCall(f.sandbox, "POST", UPLOAD, { certificate, privateKey: toPkcs1(good.privateKey) });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ code: "Certificate.Invalid", message: "Certificate is empty or invalid." });
    }
  });

  it("PrivateKey.Invalid: PrivateKey is empty or invalid.", async () => {
    for (const privateKey of ["", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----"]) {
      const res = await rawCall(f.sandbox, "POST", UPLOAD, { certificate: good.certificate, privateKey });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ code: "PrivateKey.Invalid", message: "PrivateKey is empty or invalid." });
    }
  });

  it("Upload.Certificate.Invalid: Upload certificate has error. (chain from another CA)", async () => {
    const other = await TestCA.create({ name: "Other", now: CDN_NOW });
    const res = await rawCall(f.sandbox, "POST", UPLOAD, {
      certificate: good.certificate,
      privateKey: toPkcs1(good.privateKey),
      chain: other.chainPem,
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: "Upload.Certificate.Invalid", message: "Upload certificate has error." });
  });

  it("Certificate.Invalid: Certificate or privateKey invalid. (key of another certificate)", async () => {
    const other = await f.ca.issue({ commonName: "other.example.org", days: 90 });
    const res = await rawCall(f.sandbox, "POST", UPLOAD, {
      certificate: good.certificate,
      privateKey: toPkcs1(other.privateKey),
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: "Certificate.Invalid", message: "Certificate or privateKey invalid." });
    expect(f.sandbox.uploadCount).toBe(0);
  });

  it("the provider turns a mismatched key into KEY_MISMATCH and a foreign chain into a chain fix", async () => {
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const other = await f.ca.issue({ commonName: "other2.example.org", days: 90 });
      const mismatch = target.deploy({ ...good, privateKey: other.privateKey });
      await expect(mismatch).rejects.toMatchObject({
        code: "KEY_MISMATCH",
        field: "private-key",
        vendor: "cdn",
        vendorCode: "Certificate.Invalid",
        status: 400,
      });
      await expect(mismatch).rejects.toThrow(/does not belong to the certificate/);

      const foreign = await TestCA.create({ name: "Foreign", now: CDN_NOW });
      const chain = target.deploy({ ...good, chain: foreign.chainPem });
      await expect(chain).rejects.toMatchObject({
        code: "VENDOR_REJECTED",
        field: "chain",
        vendorCode: "Upload.Certificate.Invalid",
      });
      await expect(chain).rejects.toThrow(/Upload certificate has error\..*chain/);
      expect(f.sandbox.uploadCount).toBe(0);
    } finally {
      await target.close();
    }
  });

  it("takes a PKCS#8 key (an older docs example) and refuses an Ed25519 key as PrivateKey.Invalid (inferred)", async () => {
    const pkcs8 = (await f.ca.issue({ commonName: "pkcs8.example.org", days: 30 })) as CertificateMaterial;
    expect(pkcs8.privateKey).toContain("BEGIN PRIVATE KEY");
    const taken = await rawCall(f.sandbox, "POST", UPLOAD, {
      certificate: pkcs8.certificate,
      privateKey: pkcs8.privateKey,
    });
    expect(taken.status).toBe(200);
    const ed = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const res = await rawCall(f.sandbox, "POST", UPLOAD, { certificate: pkcs8.certificate, privateKey: ed });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: "PrivateKey.Invalid", message: "PrivateKey is empty or invalid." });
  });
});
