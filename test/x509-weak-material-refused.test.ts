import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCertificateStrength, checkCsrStrength, inspectCsr, parseBundle } from "../src/x509/index.js";
import { readKeyForCsr } from "../src/operations/csr-from-key.js";

let dir: string;

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("openssl", args, { cwd: dir, timeout: 60_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`openssl ${args.join(" ")}: ${stderr}`)) : resolve(),
    );
  });
}

/** A self-signed certificate and its key, made by openssl exactly as a user might have made them. */
async function selfSigned(
  name: string,
  keyArgs: string[],
  digest = "-sha256",
): Promise<{ certificate: string; privateKey: string }> {
  await run([
    "req",
    "-x509",
    ...keyArgs,
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-subj",
    `/CN=${name}.example.com`,
    "-addext",
    "basicConstraints=critical,CA:FALSE",
    "-days",
    "30",
    digest,
  ]);
  return {
    certificate: await readFile(join(dir, `${name}.crt`), "utf8"),
    privateKey: await readFile(join(dir, `${name}.key`), "utf8"),
  };
}

async function csr(name: string, keyArgs: string[], digest = "-sha256"): Promise<string> {
  await run([
    "req",
    "-new",
    ...keyArgs,
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${name}.example.com`,
    digest,
  ]);
  return readFile(join(dir, `${name}.csr`), "utf8");
}

const now = () => new Date();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-weak-"));
  await run(["dsaparam", "-out", "dsa.param", "2048"]);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("weak material is refused with the field and the fix named", () => {
  it("an RSA-1024 bundle: KEY_TOO_SMALL on private-key, saying how to make a 2048-bit key", async () => {
    const weak = await selfSigned("rsa1024", ["-newkey", "rsa:1024"]);
    expect(() => parseBundle(weak, { now: now() })).toThrow(
      expect.objectContaining({ code: "KEY_TOO_SMALL", field: "private-key" }),
    );
    expect(() => parseBundle(weak, { now: now() })).toThrow(
      /1024-bit RSA key; at least 2048 bits .* rsa_keygen_bits:2048/,
    );
  });

  it("SHA-1 and MD5 signatures: SIGNATURE_WEAK on certificate, naming the algorithm", async () => {
    for (const digest of ["-sha1", "-md5"]) {
      const weak = await selfSigned(`sig${digest}`, ["-newkey", "rsa:2048"], digest);
      const name = digest === "-sha1" ? "sha1WithRSAEncryption" : "md5WithRSAEncryption";
      expect(() => parseBundle(weak, { now: now() })).toThrow(
        expect.objectContaining({ code: "SIGNATURE_WEAK", field: "certificate" }),
      );
      expect(() => parseBundle(weak, { now: now() })).toThrow(new RegExp(`signed with ${name}.*SHA-256`));
    }
  }, 60_000);

  it("a DSA key: KEY_UNSUPPORTED saying DSA is withdrawn and what to use", async () => {
    const weak = await selfSigned("dsa", ["-newkey", "dsa:dsa.param"]);
    expect(() => parseBundle(weak, { now: now() })).toThrow(
      expect.objectContaining({ code: "KEY_UNSUPPORTED", field: "private-key" }),
    );
    expect(() => parseBundle(weak, { now: now() })).toThrow(
      /DSA key: DSA keys are no longer accepted .* RSA-2048 .* EC P-256/,
    );
  });

  it("curves other than P-256/P-384 are refused; P-384 is taken", async () => {
    for (const curve of ["secp256k1", "secp521r1"]) {
      const weak = await selfSigned(curve, ["-newkey", "ec", "-pkeyopt", `ec_paramgen_curve:${curve}`]);
      expect(() => parseBundle(weak, { now: now() })).toThrow(expect.objectContaining({ code: "KEY_UNSUPPORTED" }));
      expect(() => parseBundle(weak, { now: now() })).toThrow(/only P-256 and P-384 are accepted/);
    }
    const good = await selfSigned("p384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"], "-sha384");
    expect(parseBundle(good, { now: now() }).leaf.curve).toBe("P-384");
  }, 60_000);

  it("Ed25519 only where the vendor accepts it", async () => {
    const ed = await selfSigned("ed25519", ["-newkey", "ed25519"], "-noenc");
    expect(() => parseBundle(ed, { now: now() })).toThrow(
      /ED25519 key: the vendor this goes to does not accept Ed25519 keys/,
    );
    expect(parseBundle(ed, { now: now(), strength: { ed25519: true } }).leaf.commonName).toBe("ed25519.example.com");
  });

  it("a certificate an issuer returns is held to the same floor, naming the issuer's field", async () => {
    const weak = await selfSigned("issued-sha1", ["-newkey", "rsa:2048"], "-sha1");
    expect(() => parseBundle(weak, { now: now(), fields: { certificate: "reseller certificate" } })).toThrow(
      /^reseller certificate: the certificate "issued-sha1.example.com" is signed with sha1WithRSAEncryption/,
    );
    expect(() => checkCertificateStrength(weak.certificate, "enos certificate")).toThrow(
      expect.objectContaining({ code: "SIGNATURE_WEAK", field: "enos certificate" }),
    );
  });

  it("CSRs and keys handed to apply: a 1024-bit CSR, a SHA-1 CSR and a 1024-bit key are refused", async () => {
    const small = await inspectCsr(await csr("csr1024", ["-newkey", "rsa:1024"]));
    expect(() => checkCsrStrength(small)).toThrow(expect.objectContaining({ code: "KEY_TOO_SMALL", field: "csr" }));
    const sha1 = await inspectCsr(await csr("csrsha1", ["-newkey", "rsa:2048"], "-sha1"));
    expect(() => checkCsrStrength(sha1)).toThrow(expect.objectContaining({ code: "SIGNATURE_WEAK", field: "csr" }));
    const key = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    expect(() => readKeyForCsr(key)).toThrow(expect.objectContaining({ code: "KEY_TOO_SMALL", field: "private-key" }));
    const good = await inspectCsr(await csr("csrgood", ["-newkey", "rsa:2048"]));
    expect(() => checkCsrStrength(good)).not.toThrow();
  }, 60_000);
});
