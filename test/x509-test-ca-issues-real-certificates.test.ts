import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import { certFacts, parseBundle } from "../src/x509/index.js";
import { DAY, NOW, openssl } from "./fixtures/x509.js";

describe("TestCA", () => {
  let ca: TestCA;
  beforeAll(async () => {
    ca = await TestCA.create({ name: "Real", now: NOW });
  });

  it("has a self-signed root and an intermediate it signed, chainPem intermediate first", () => {
    const root = certFacts(ca.rootPem);
    const intermediate = certFacts(ca.intermediatePem);
    expect(root.selfSigned && root.isCA).toBe(true);
    expect(intermediate.isCA).toBe(true);
    expect(intermediate.issuer).toBe(root.subject);
    expect(new X509Certificate(ca.intermediatePem).verify(new X509Certificate(ca.rootPem).publicKey)).toBe(true);
    expect(ca.chainPem).toBe(ca.intermediatePem + ca.rootPem);
    expect(ca.rootNotAfter.getTime()).toBe(NOW.getTime() + 3650 * DAY);
  });

  it("issues leaves openssl verifies for TLS server and client use", async () => {
    const leaf = await ca.issue({ commonName: "tls.example.com", sans: ["tls.example.com", "127.0.0.1"] });
    const files = { "root.pem": ca.rootPem, "int.pem": ca.intermediatePem, "leaf.pem": leaf.certificate };
    const at = String(NOW.getTime() / 1000 + 60);
    for (const purpose of ["sslserver", "sslclient"]) {
      const r = await openssl(
        ["verify", "-attime", at, "-purpose", purpose, "-CAfile", "root.pem", "-untrusted", "int.pem", "leaf.pem"],
        files,
      );
      expect(r.stdout).toContain("leaf.pem: OK");
    }
    const text = await openssl(["x509", "-in", "leaf.pem", "-noout", "-text"], files);
    expect(text.stdout).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
    expect(text.stdout).toContain("DNS:tls.example.com, IP Address:127.0.0.1");
    expect(text.stdout).toContain("Signature Algorithm: ecdsa-with-SHA256");
    expect(text.stdout).toContain("Public-Key: (2048 bit)");
  });

  it("builds an RSA CA when asked, signing with SHA-256", async () => {
    const rsaCa = await TestCA.create({ name: "RSA", keyType: "rsa", now: NOW });
    const leaf = await rsaCa.issue({ commonName: "rsa-ca.example.com", keyType: "ecc" });
    const text = await openssl(["x509", "-in", "leaf.pem", "-noout", "-text"], { "leaf.pem": leaf.certificate });
    expect(text.stdout).toContain("Signature Algorithm: sha256WithRSAEncryption");
    expect(parseBundle(leaf, { now: NOW }).leaf.curve).toBe("P-256");
  });

  it("issues already-expired, not-yet-valid and nearly-expired certificates on request", async () => {
    const expired = certFacts(
      (await ca.issue({ commonName: "e.example.com", notBefore: new Date(NOW.getTime() - 30 * DAY), days: 20 }))
        .certificate,
    );
    expect(expired.notAfter.getTime()).toBe(NOW.getTime() - 10 * DAY);
    const future = certFacts(
      (await ca.issue({ commonName: "f.example.com", notBefore: new Date(NOW.getTime() + DAY) })).certificate,
    );
    expect(future.notBefore.getTime()).toBe(NOW.getTime() + DAY);
    expect(future.notAfter.getTime()).toBe(NOW.getTime() + 91 * DAY);
    const soon = certFacts(
      (await ca.issue({ commonName: "s.example.com", notAfter: new Date(NOW.getTime() + 3600_000) })).certificate,
    );
    expect(soon.notAfter.getTime()).toBe(NOW.getTime() + 3600_000);
  });

  it("uses the serial it is given, and different random ones otherwise", async () => {
    const given = certFacts((await ca.issue({ commonName: "g.example.com", serial: "FF01" })).certificate);
    expect(given.serial).toBe("FF01");
    const [a, b] = await Promise.all([
      ca.issue({ commonName: "a.example.com", keyType: "ecc" }),
      ca.issue({ commonName: "b.example.com", keyType: "ecc" }),
    ]);
    expect(certFacts(a!.certificate).serial).not.toBe(certFacts(b!.certificate).serial);
  });

  it("signs a CSR with the CN and SANs overridden when asked", async () => {
    const { generateKeyAndCsr } = await import("../src/x509/index.js");
    const req = await generateKeyAndCsr({ keyType: "ecc", commonName: "asked.example.com" });
    const signed = await ca.signCsr(req.csr, {
      commonName: "given.example.com",
      sans: ["given.example.com", "alt.example.com"],
      serial: "0B0B",
    });
    const facts = certFacts(signed.certificate);
    expect(facts).toMatchObject({
      commonName: "given.example.com",
      sans: ["given.example.com", "alt.example.com"],
      serial: "B0B",
    });
    expect(signed.chain).toBe(ca.chainPem);
  });
});
