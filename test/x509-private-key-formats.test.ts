import { createPrivateKey } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import type { CertificateMaterial } from "../src/model.js";
import { parseBundle, parsePrivateKey, toPkcs1Pem } from "../src/x509/index.js";
import { NOW, openssl } from "./fixtures/x509.js";

describe("private keys in the forms people paste", () => {
  let rsa: CertificateMaterial;
  let ecc: CertificateMaterial;
  beforeAll(async () => {
    const ca = await TestCA.create({ name: "Keys", now: NOW });
    [rsa, ecc] = await Promise.all([
      ca.issue({ commonName: "rsa.example.com" }),
      ca.issue({ commonName: "ecc.example.com", keyType: "ecc" }),
    ]);
  });

  it("issues leaf keys as PKCS#8", () => {
    expect(rsa.privateKey.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
    expect(ecc.privateKey.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
  });

  it("parses PKCS#8, PKCS#1 and SEC1 to the same key", () => {
    const pkcs1 = String(createPrivateKey(rsa.privateKey).export({ format: "pem", type: "pkcs1" }));
    const sec1 = String(createPrivateKey(ecc.privateKey).export({ format: "pem", type: "sec1" }));
    expect(pkcs1).toContain("-----BEGIN RSA PRIVATE KEY-----");
    expect(sec1).toContain("-----BEGIN EC PRIVATE KEY-----");
    expect(parsePrivateKey(rsa.privateKey).asymmetricKeyType).toBe("rsa");
    expect(parsePrivateKey(pkcs1).equals(parsePrivateKey(rsa.privateKey))).toBe(true);
    expect(parsePrivateKey(sec1).equals(parsePrivateKey(ecc.privateKey))).toBe(true);
    // every form is accepted in a bundle too
    expect(
      parseBundle({ certificate: rsa.certificate, privateKey: pkcs1, chain: rsa.chain }, { now: NOW }).leaf.commonName,
    ).toBe("rsa.example.com");
    expect(
      parseBundle({ certificate: ecc.certificate, privateKey: sec1, chain: ecc.chain }, { now: NOW }).leaf.keyType,
    ).toBe("ec");
  });

  it("skips the EC PARAMETERS block openssl ecparam writes before the key, and Windows line ends", () => {
    const sec1 = String(createPrivateKey(ecc.privateKey).export({ format: "pem", type: "sec1" }));
    const withParams =
      `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${sec1}`.replaceAll("\n", "\r\n");
    expect(parsePrivateKey(withParams).equals(parsePrivateKey(ecc.privateKey))).toBe(true);
  });

  it("accepts a key pasted with literal \\n escapes (one-line CI secrets)", () => {
    const oneLine = rsa.privateKey.trim().replaceAll("\n", "\\n");
    expect(parsePrivateKey(oneLine).equals(parsePrivateKey(rsa.privateKey))).toBe(true);
    // and hands it on as real PEM, so the next system does not receive the escapes
    expect(
      parseBundle(
        { certificate: rsa.certificate.trim().replaceAll("\n", "\\n"), privateKey: oneLine, chain: rsa.chain },
        { now: NOW },
      ).material,
    ).toMatchObject({
      certificate: rsa.certificate,
      privateKey: rsa.privateKey,
    });
  });

  it("writes RSA keys as PKCS#1 that openssl rsa -check accepts", async () => {
    const pkcs1 = toPkcs1Pem(rsa.privateKey);
    expect(pkcs1.startsWith("-----BEGIN RSA PRIVATE KEY-----\n")).toBe(true);
    const result = await openssl(["rsa", "-in", "key.pem", "-check", "-noout"], { "key.pem": pkcs1 });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("RSA key ok");
  });

  it("refuses to write an EC key as PKCS#1", () => {
    expect(() => toPkcs1Pem(ecc.privateKey)).toThrow(
      expect.objectContaining({ code: "KEY_UNSUPPORTED", field: "private-key" }),
    );
  });
});
