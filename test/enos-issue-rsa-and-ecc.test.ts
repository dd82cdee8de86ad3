import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isInputError } from "../src/errors.js";
import { createEnosIssuer } from "../src/providers/enos/index.js";
import { certFacts, generateKeyAndCsr, parseBundle, serialFromDecimal } from "../src/x509/index.js";
import { startEnosFixture, type EnosFixture } from "./support/enos.js";

describe("EnOS issuer: RSA and ECC device certificates", () => {
  let f: EnosFixture;
  beforeAll(async () => {
    f = await startEnosFixture();
    f.sandbox.addDevice({ assetId: "eccAssetId", productKey: "yourProductKey", deviceKey: "eccDevice" });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("issues an RSA certificate for an RSA-2048 CSR; the key, chain and serial line up", async () => {
    const issuer = createEnosIssuer(
      { endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId" },
      f.sandbox.credentials,
      f.ctx,
    );
    try {
      expect(issuer.keyType).toBe("rsa");
      const { csr, privateKey } = await generateKeyAndCsr({
        keyType: issuer.keyType,
        commonName: "rsa.device.example",
      });
      const outcome = await issuer.issue({ csr, commonName: "rsa.device.example", sans: [], reference: "rsa" });
      if (outcome.state !== "issued") throw new Error("expected issued");
      const bundle = parseBundle(
        { certificate: outcome.certificate, privateKey, chain: outcome.chain },
        { now: f.clock.now(), allowReorder: true, requireKey: true },
      );
      expect(bundle.leaf.keyType).toBe("rsa");
      expect(bundle.leaf.serial).toBe(serialFromDecimal(outcome.orderId));
      expect(f.sandbox.certificatesOf("yourDeviceAssetId").map((c) => c.issueAuthority)).toEqual(["RSA"]);
    } finally {
      await issuer.close();
    }
  });

  it("issues an ECC certificate for a P-256 CSR with issueAuthority ECC (given in any case)", async () => {
    const issuer = createEnosIssuer(
      {
        endpoint: f.sandbox.url,
        orgId: "yourOrgId",
        productKey: "yourProductKey",
        deviceKey: "eccDevice",
        issueAuthority: "ecc" as "ECC",
      },
      f.sandbox.credentials,
      f.ctx,
    );
    try {
      expect(issuer.keyType).toBe("ecc");
      const { csr, privateKey } = await generateKeyAndCsr({
        keyType: issuer.keyType,
        commonName: "ecc.device.example",
      });
      const outcome = await issuer.issue({ csr, commonName: "ecc.device.example", sans: [], reference: "ecc" });
      if (outcome.state !== "issued") throw new Error("expected issued");
      const facts = certFacts(outcome.certificate);
      expect(facts.keyType).toBe("ec");
      expect(facts.curve).toBe("P-256");
      expect(
        new X509Certificate(outcome.certificate).checkPrivateKey(
          (await import("node:crypto")).createPrivateKey(privateKey),
        ),
      ).toBe(true);
      expect(f.sandbox.certificatesOf("eccAssetId").map((c) => c.issueAuthority)).toEqual(["ECC"]);
    } finally {
      await issuer.close();
    }
  });

  it("refuses a CSR of the wrong type locally, before any request", async () => {
    const issuer = createEnosIssuer(
      { endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId", issueAuthority: "ECC" },
      f.sandbox.credentials,
      f.ctx,
    );
    const before = f.sandbox.requestCount;
    try {
      const { csr } = await generateKeyAndCsr({ keyType: "rsa", commonName: "wrong.device.example" });
      const error = await issuer
        .issue({ csr, commonName: "wrong.device.example", sans: [], reference: "x" })
        .catch((e: unknown) => e);
      expect(error).toSatisfy(isInputError);
      expect(error).toMatchObject({ code: "CSR_INVALID", field: "csr" });
      expect(String((error as Error).message)).toMatch(/prime256v1|P-256/);
      expect(f.sandbox.requestCount).toBe(before);
    } finally {
      await issuer.close();
    }
  });

  it("refuses settings without a device, or with half of productKey+deviceKey, before any request", () => {
    const before = f.sandbox.requestCount;
    expect(() =>
      createEnosIssuer({ endpoint: f.sandbox.url, orgId: "yourOrgId" }, f.sandbox.credentials, f.ctx),
    ).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", field: "assetId" }));
    expect(() =>
      createEnosIssuer(
        { endpoint: f.sandbox.url, orgId: "yourOrgId", productKey: "yourProductKey" },
        f.sandbox.credentials,
        f.ctx,
      ),
    ).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", field: "deviceKey" }));
    expect(() =>
      createEnosIssuer(
        { endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "a" },
        { appKey: "k", appSecret: "" },
        f.ctx,
      ),
    ).toThrow(expect.objectContaining({ code: "INPUT_MISSING", field: "appSecret" }));
    expect(f.sandbox.requestCount).toBe(before);
  });
});
