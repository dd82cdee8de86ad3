import { beforeAll, describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import {
  certFacts,
  expireInDays,
  lifetimeDays,
  normalizeSerial,
  serialFromDecimal,
  serialToDecimal,
} from "../src/x509/index.js";
import { DAY, NOW, openssl } from "./fixtures/x509.js";

describe("certFacts of a certificate issued by the test CA", () => {
  let ca: TestCA;
  let pem: string;
  beforeAll(async () => {
    ca = await TestCA.create({ name: "Facts", now: NOW });
    pem = (
      await ca.issue({
        commonName: "www.example.com",
        sans: ["www.example.com", "api.example.com", "10.0.0.1"],
        days: 6,
        serial: "00:0A:1B:2C",
      })
    ).certificate;
  });

  it("reports names, issuer, key and validity as a user reads them", () => {
    const f = certFacts(pem);
    expect(f.commonName).toBe("www.example.com");
    expect(f.subject).toBe("CN=www.example.com");
    expect(f.sans).toEqual(["www.example.com", "api.example.com", "10.0.0.1"]);
    expect(f.issuerCommonName).toBe("Facts Intermediate CA");
    expect(f.issuer).toContain("CN=Facts Intermediate CA");
    expect(f.isCA).toBe(false);
    expect(f.selfSigned).toBe(false);
    expect(f.keyType).toBe("rsa");
    expect(f.keyBits).toBe(2048);
    expect(f.notBefore.toISOString()).toBe(NOW.toISOString());
    expect(f.notAfter.toISOString()).toBe(new Date(NOW.getTime() + 6 * DAY).toISOString());
    expect(lifetimeDays(f)).toBe(6);
    expect(f.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
  });

  it("normalizes the serial and round-trips it through decimal", () => {
    const f = certFacts(pem);
    expect(f.serial).toBe("A1B2C");
    expect(f.serialDecimal).toBe(String(0xa1b2c));
    expect(serialFromDecimal(f.serialDecimal)).toBe(f.serial);
    expect(serialToDecimal(f.serial)).toBe(f.serialDecimal);
  });

  it("gives random serials as positive 16-byte numbers without leading zeros", async () => {
    const f = certFacts((await ca.issue({ commonName: "random.example.com" })).certificate);
    expect(f.serial).toMatch(/^[1-7][0-9A-F]{31}$/);
    expect(serialFromDecimal(f.serialDecimal)).toBe(f.serial);
  });

  it("has the SHA-256 fingerprint openssl prints", async () => {
    const result = await openssl(["x509", "-in", "cert.pem", "-noout", "-fingerprint", "-sha256"], { "cert.pem": pem });
    expect(result.code).toBe(0);
    const printed = result.stdout.trim().split("=").at(-1);
    expect(certFacts(pem).fingerprint256).toBe(printed);
  });

  it("counts whole days left the way the CDN does, negative once expired", () => {
    const { notAfter } = certFacts(pem);
    expect(expireInDays(notAfter, NOW)).toBe(6);
    expect(expireInDays(notAfter, new Date(NOW.getTime() + 1000))).toBe(5);
    expect(expireInDays(notAfter, new Date(NOW.getTime() + 6 * DAY))).toBe(0);
    expect(expireInDays(notAfter, new Date(NOW.getTime() + 6 * DAY + 1))).toBe(-1);
  });

  it("reads an ECDSA certificate's curve", async () => {
    const f = certFacts((await ca.issue({ commonName: "ec.example.com", keyType: "ecc" })).certificate);
    expect(f.keyType).toBe("ec");
    expect(f.curve).toBe("P-256");
    expect(f.keyBits).toBe(256);
  });

  it("reads the root as self-signed CA and accepts a parsed X509Certificate too", async () => {
    const { X509Certificate } = await import("node:crypto");
    const root = certFacts(new X509Certificate(ca.rootPem));
    expect(root.isCA).toBe(true);
    expect(root.selfSigned).toBe(true);
    expect(root.commonName).toBe("Facts Root CA");
    expect(root.notAfter.getTime()).toBe(ca.rootNotAfter.getTime());
  });
});

describe("serial notation", () => {
  it.each([
    ["0A:1B:2C", "A1B2C"],
    ["0x00ff", "FF"],
    ["  ab cd ", "ABCD"],
    ["0000", "0"],
  ])("normalizeSerial(%j) is %s", (input, expected) => {
    expect(normalizeSerial(input)).toBe(expected);
  });

  it("refuses a serial that is not hex, naming the field", () => {
    expect(() => normalizeSerial("12G4")).toThrow(expect.objectContaining({ code: "INPUT_INVALID", field: "serial" }));
    expect(() => serialFromDecimal("12AB")).toThrow(
      expect.objectContaining({ code: "INPUT_INVALID", field: "serial" }),
    );
  });

  it("converts the CDN's decimal serials", () => {
    expect(serialFromDecimal("13358902045847232771")).toBe("B9645AA1D7F6A103");
    expect(serialToDecimal("b9:63:e2:0e:6c:5a:38:03")).toBe("13358769471286294531");
  });
});
