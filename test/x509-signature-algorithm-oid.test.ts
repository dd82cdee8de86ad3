import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCertificateStrength, signatureAlgorithmOf } from "../src/x509/index.js";

/**
 * certrelay reads a certificate's signature algorithm from its DER by hand (src/x509/strength.ts: an ASN.1 library
 * cost every start ~10 ms). It must name exactly the OID an ASN.1 library reads, for what openssl makes: RSA with
 * SHA-1/256/384/512 and PSS, ECDSA, Ed25519, long certificates (multi-byte lengths), and refuse what is not one.
 */
let dir: string;

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("openssl", args, { cwd: dir, timeout: 60_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`openssl ${args.join(" ")}: ${stderr}`)) : resolve(),
    );
  });
}

async function selfSigned(name: string, args: string[]): Promise<string> {
  await run([
    "req",
    "-x509",
    ...args,
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-subj",
    `/CN=${name}.example.com`,
    "-days",
    "30",
  ]);
  return readFile(join(dir, `${name}.crt`), "utf8");
}

const manyNames = Array.from({ length: 300 }, (_, i) => `DNS:host-${i}.example.com`).join(",");
const cases: [string, string[], string][] = [
  ["rsa-sha1", ["-newkey", "rsa:2048", "-sha1"], "1.2.840.113549.1.1.5"],
  ["rsa-sha256", ["-newkey", "rsa:2048", "-sha256"], "1.2.840.113549.1.1.11"],
  ["rsa-sha384", ["-newkey", "rsa:3072", "-sha384"], "1.2.840.113549.1.1.12"],
  ["rsa-sha512", ["-newkey", "rsa:4096", "-sha512"], "1.2.840.113549.1.1.13"],
  ["rsa-pss", ["-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048", "-sha256"], "1.2.840.113549.1.1.10"],
  ["ec-p256-sha256", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha256"], "1.2.840.10045.4.3.2"],
  ["ec-p384-sha384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-sha384"], "1.2.840.10045.4.3.3"],
  ["ec-sha1", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha1"], "1.2.840.10045.4.1"],
  ["ed25519", ["-newkey", "ed25519"], "1.3.101.112"],
  [
    "many-names",
    ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha256", "-addext", `subjectAltName=${manyNames}`],
    "1.2.840.10045.4.3.2",
  ],
];
const pems = new Map<string, string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-sigalg-"));
  for (const [name, args] of cases) pems.set(name, await selfSigned(name, args));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the signature algorithm of a certificate, read from its DER", () => {
  it.each(cases)("%s: the OID an ASN.1 library reads (%s)", (name, _args, oid) => {
    const raw = new X509Certificate(pems.get(name) ?? "").raw;
    expect(signatureAlgorithmOf(raw)).toBe(AsnConvert.parse(raw, Certificate).signatureAlgorithm.algorithm);
    expect(signatureAlgorithmOf(raw)).toBe(oid);
  });

  it("a SHA-1 certificate is still refused by name, with the fix", () => {
    expect(() => checkCertificateStrength(pems.get("rsa-sha1") ?? "", "certificate")).toThrow(
      /signed with sha1WithRSAEncryption.*SHA-256/,
    );
  });

  it("bytes that are not a certificate are refused, never read past their end", () => {
    const raw = new Uint8Array(new X509Certificate(pems.get("ec-p256-sha256") ?? "").raw);
    for (const bad of [
      new Uint8Array(0),
      raw.subarray(0, 40),
      raw.subarray(0, raw.length - 80),
      Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff),
      Uint8Array.of(0x04, 0x00),
    ]) {
      expect(() => signatureAlgorithmOf(bad)).toThrow(TypeError);
    }
  });
});
