import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import {
  certFacts,
  checkCsrForEnos,
  generateKeyAndCsr,
  inspectCsr,
  parseBundle,
  type GeneratedCsr,
} from "../src/x509/index.js";
import { NOW, openssl } from "./fixtures/x509.js";

describe("generated CSRs meet EnOS's algorithm rules", () => {
  let rsa: GeneratedCsr;
  let ecc: GeneratedCsr;
  beforeAll(async () => {
    [rsa, ecc] = await Promise.all([
      generateKeyAndCsr({
        keyType: "rsa",
        commonName: "device-01",
        sans: ["device-01.iot.example.com", "10.1.2.3"],
        subject: { O: "Example, Inc.", C: "CN" },
      }),
      generateKeyAndCsr({ keyType: "ecc", commonName: "device-02" }),
    ]);
  });

  it.each(["rsa", "ecc"] as const)("%s CSR passes openssl req -verify", async (kind) => {
    const csr = kind === "rsa" ? rsa : ecc;
    expect(csr.csr.startsWith("-----BEGIN CERTIFICATE REQUEST-----\n")).toBe(true);
    expect(csr.privateKey.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
    const result = await openssl(["req", "-in", "req.pem", "-verify", "-noout"], { "req.pem": csr.csr });
    expect(result.code).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/verify OK/i);
  });

  it("RSA CSR: 2048-bit key, SHA256withRSA, subject and SANs as asked", async () => {
    const facts = await inspectCsr(rsa.csr);
    expect(facts).toMatchObject({
      commonName: "device-01",
      keyType: "rsa",
      keyBits: 2048,
      signatureAlgorithm: "SHA256withRSA",
      signatureValid: true,
    });
    expect(facts.sans).toEqual(["device-01.iot.example.com", "10.1.2.3"]);
    expect(() => checkCsrForEnos(facts, "RSA")).not.toThrow();
    const text = await openssl(["req", "-in", "req.pem", "-noout", "-subject"], { "req.pem": rsa.csr });
    expect(text.stdout).toContain('O = "Example, Inc."');
    expect(text.stdout).toContain("CN = device-01");
  });

  it("ECC CSR: P-256 key, SHA256withECDSA, SAN defaults to the CN", async () => {
    const facts = await inspectCsr(ecc.csr);
    expect(facts).toMatchObject({
      commonName: "device-02",
      keyType: "ec",
      curve: "P-256",
      signatureAlgorithm: "SHA256withECDSA",
      signatureValid: true,
    });
    expect(facts.sans).toEqual(["device-02"]);
    expect(() => checkCsrForEnos(facts, "ECC")).not.toThrow();
  });

  it("refuses a CSR for the other issue authority with the rule in the message", async () => {
    const eccFacts = await inspectCsr(ecc.csr);
    const rsaFacts = await inspectCsr(rsa.csr);
    expect(() => checkCsrForEnos(eccFacts, "RSA")).toThrow(
      expect.objectContaining({ code: "CSR_INVALID", field: "csr", message: expect.stringContaining("2048-bit RSA") }),
    );
    expect(() => checkCsrForEnos(rsaFacts, "ECC")).toThrow(
      expect.objectContaining({ code: "CSR_INVALID", message: expect.stringContaining("prime256v1") }),
    );
  });

  it("reads Java keytool's NEW CERTIFICATE REQUEST header, as in the EnOS spec example", async () => {
    const keytoolStyle = rsa.csr.replaceAll("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
    expect((await inspectCsr(keytoolStyle)).commonName).toBe("device-01");
  });

  it("reads an openssl-made CSR signed with SHA-384 and names its algorithm", async () => {
    const made = await openssl(
      [
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-nodes",
        "-keyout",
        "k.pem",
        "-subj",
        "/CN=p384",
        "-sha384",
      ],
      {},
    );
    expect(made.code).toBe(0);
    const facts = await inspectCsr(made.stdout);
    expect(facts).toMatchObject({
      commonName: "p384",
      curve: "P-384",
      signatureAlgorithm: "SHA384withECDSA",
      signatureValid: true,
    });
    expect(() => checkCsrForEnos(facts, "ECC")).toThrow(expect.objectContaining({ code: "CSR_INVALID" }));
  });

  it("the test CA signs a generated CSR into a bundle that verifies with openssl", async () => {
    const ca = await TestCA.create({ name: "CSR", now: NOW });
    const signed = await ca.signCsr(rsa.csr, { days: 30 });
    const facts = certFacts(signed.certificate);
    expect(facts.commonName).toBe("device-01");
    expect(facts.sans).toEqual(["device-01.iot.example.com", "10.1.2.3"]);
    expect(
      new X509Certificate(signed.certificate).checkPrivateKey(
        (await import("node:crypto")).createPrivateKey(rsa.privateKey),
      ),
    ).toBe(true);
    expect(
      parseBundle({ certificate: signed.certificate, chain: signed.chain, privateKey: rsa.privateKey }, { now: NOW })
        .chain,
    ).toHaveLength(2);
    const verify = await openssl(
      [
        "verify",
        "-attime",
        String(NOW.getTime() / 1000 + 60),
        "-CAfile",
        "root.pem",
        "-untrusted",
        "int.pem",
        "leaf.pem",
      ],
      {
        "root.pem": ca.rootPem,
        "int.pem": ca.intermediatePem,
        "leaf.pem": signed.certificate,
      },
    );
    expect(verify.stdout).toContain("leaf.pem: OK");
  });
});
