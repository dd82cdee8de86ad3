/**
 * Every way a user can hand over a broken certificate bundle that we know of, each with the specific code, the
 * field named in the message, and no private key text anywhere in what is printed.
 */
import { createPrivateKey, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { CertrelayError, isInputError } from "../src/errors.js";
import { TestCA } from "../src/sandbox/ca.js";
import {
  checkCsrForEnos,
  generateKeyAndCsr,
  inspectCsr,
  parseBundle,
  parsePrivateKey,
  splitPem,
  toPkcs1Pem,
  type BundleOptions,
} from "../src/x509/index.js";
import { bodyLines, makeX509Fixture, NOW, openssl, pemBlocks, type X509Fixture } from "./fixtures/x509.js";

interface Case {
  name: string;
  run: (f: X509Fixture, extra: Extra) => unknown;
  code: string;
  field: string;
  /** Something else the message must say (the fix, a date, the right order). */
  says?: string;
}

interface Extra {
  weakCsr: string;
  eccCsr: string;
  /** Same names as the fixture CA, other keys: a name match alone would wrongly link its certificates. */
  twinChain: string;
}

const opts: BundleOptions = { now: NOW };

function cutLines(pem: string, from: number, to: number): string {
  const lines = pem.split("\n");
  return [...lines.slice(0, from), ...lines.slice(to)].join("\n");
}

function derAsText(pem: string): string {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64").toString("latin1");
}

const cases: Case[] = [
  {
    name: "empty certificate",
    run: (f) => parseBundle({ ...f.rsa, certificate: "" }, opts),
    code: "PEM_EMPTY",
    field: "certificate",
  },
  {
    name: "whitespace-only certificate",
    run: (f) => parseBundle({ ...f.rsa, certificate: " \n\t \r\n" }, opts),
    code: "PEM_EMPTY",
    field: "certificate",
  },
  {
    name: "empty private key",
    run: (f) => parseBundle({ ...f.rsa, privateKey: "" }, opts),
    code: "PEM_EMPTY",
    field: "private-key",
  },
  {
    name: "truncated certificate (END line lost)",
    run: (f) =>
      parseBundle(
        { ...f.rsa, certificate: f.rsa.certificate.slice(0, Math.floor(f.rsa.certificate.length / 2)) },
        opts,
      ),
    code: "PEM_MALFORMED",
    field: "certificate",
    says: "-----END CERTIFICATE-----",
  },
  {
    name: "certificate with middle lines missing",
    run: (f) => parseBundle({ ...f.rsa, certificate: cutLines(f.rsa.certificate, 3, 6) }, opts),
    code: "PEM_MALFORMED",
    field: "certificate",
  },
  {
    name: "bare base64 without BEGIN/END lines",
    run: (f) => parseBundle({ ...f.rsa, certificate: f.rsa.certificate.replace(/-----[^-]+-----/g, "") }, opts),
    code: "PEM_MALFORMED",
    field: "certificate",
    says: "BEGIN",
  },
  {
    name: "BEGIN and END lines of different types",
    run: (f) =>
      parseBundle({ ...f.rsa, certificate: f.rsa.certificate.replace("END CERTIFICATE", "END X509 CRL") }, opts),
    code: "PEM_MALFORMED",
    field: "certificate",
  },
  {
    name: "base64 with bad characters (smart quote)",
    run: (f) =>
      parseBundle({ ...f.rsa, certificate: f.rsa.certificate.replace(/\n([A-Za-z0-9])/, "\n\u201d$1") }, opts),
    code: "PEM_MALFORMED",
    field: "certificate",
    says: "base64",
  },
  {
    name: "binary garbage",
    run: (f) => parseBundle({ ...f.rsa, certificate: randomBytes(512).toString("latin1") + "\u0000" }, opts),
    code: "PEM_MALFORMED",
    field: "certificate",
    says: "binary",
  },
  {
    name: "DER bytes read as text",
    run: (f) => parseBundle({ ...f.rsa, certificate: derAsText(f.rsa.certificate) }, opts),
    code: "PEM_MALFORMED",
    field: "certificate",
    says: "openssl x509 -inform der",
  },
  {
    name: "valid PEM framing around something that is not a certificate",
    run: (f) => parseBundle({ ...f.rsa, certificate: f.rsa.privateKey.replaceAll("PRIVATE KEY", "CERTIFICATE") }, opts),
    code: "PEM_MALFORMED",
    field: "certificate",
  },
  {
    name: "private key in the certificate field",
    run: (f) => parseBundle({ ...f.rsa, certificate: f.rsa.privateKey }, opts),
    code: "PEM_WRONG_TYPE",
    field: "certificate",
    says: "put it in private-key",
  },
  {
    name: "CSR in the certificate field",
    run: async (f) =>
      parseBundle(
        { ...f.rsa, certificate: (await generateKeyAndCsr({ keyType: "ecc", commonName: "x.example.com" })).csr },
        opts,
      ),
    code: "PEM_WRONG_TYPE",
    field: "certificate",
    says: "CSR",
  },
  {
    name: "certificate in the private key field",
    run: (f) => parseBundle({ ...f.rsa, privateKey: f.rsa.certificate }, opts),
    code: "PEM_WRONG_TYPE",
    field: "private-key",
  },
  {
    name: "private key in the chain field",
    run: (f) => parseBundle({ ...f.rsa, chain: f.ca.intermediatePem + f.rsa.privateKey }, opts),
    code: "PEM_WRONG_TYPE",
    field: "chain",
  },
  {
    name: "encrypted PKCS#8 key",
    run: (f) =>
      parseBundle(
        {
          ...f.rsa,
          privateKey: String(
            createPrivateKey(f.rsa.privateKey).export({
              format: "pem",
              type: "pkcs8",
              cipher: "aes-256-cbc",
              passphrase: "hunter2",
            }),
          ),
        },
        opts,
      ),
    code: "KEY_ENCRYPTED",
    field: "private-key",
    says: "openssl pkey -in key.pem -out plain.pem",
  },
  {
    name: "encrypted legacy PKCS#1 key (Proc-Type header)",
    run: (f) =>
      parsePrivateKey(
        String(
          createPrivateKey(f.rsa.privateKey).export({
            format: "pem",
            type: "pkcs1",
            cipher: "aes-128-cbc",
            passphrase: "hunter2",
          }),
        ),
      ),
    code: "KEY_ENCRYPTED",
    field: "private-key",
  },
  {
    name: "OpenSSH private key",
    run: () =>
      parsePrivateKey(
        `-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from("openssh-key-v1\u0000none").toString("base64")}\n-----END OPENSSH PRIVATE KEY-----\n`,
      ),
    code: "KEY_UNSUPPORTED",
    field: "private-key",
  },
  {
    name: "key of another certificate",
    run: (f) => parseBundle({ ...f.rsa, privateKey: f.expired.privateKey }, opts),
    code: "KEY_MISMATCH",
    field: "private-key",
    says: "does not belong",
  },
  {
    name: "EC key for an RSA certificate",
    run: (f) => parseBundle({ ...f.rsa, privateKey: f.ecc.privateKey }, opts),
    code: "KEY_MISMATCH",
    field: "private-key",
  },
  {
    name: "EC key to PKCS#1 for the CDN",
    run: (f) => toPkcs1Pem(f.ecc.privateKey),
    code: "KEY_UNSUPPORTED",
    field: "private-key",
  },
  {
    name: "CA certificate as the leaf",
    run: (f) => parseBundle({ certificate: f.ca.intermediatePem, chain: f.ca.rootPem }, { ...opts, requireKey: false }),
    code: "CERT_IS_CA",
    field: "certificate",
  },
  {
    name: "chain pasted before the leaf in the certificate field",
    run: (f) => parseBundle({ certificate: f.ca.chainPem + f.rsa.certificate, privateKey: f.rsa.privateKey }, opts),
    code: "CERT_IS_CA",
    field: "certificate",
    says: "first",
  },
  {
    name: "expired leaf",
    run: (f) => parseBundle(f.expired, opts),
    code: "CERT_EXPIRED",
    field: "certificate",
    says: new Date(NOW.getTime() - 10 * 86_400_000).toISOString(),
  },
  {
    name: "not-yet-valid leaf",
    run: (f) => parseBundle(f.notYetValid, opts),
    code: "CERT_NOT_YET_VALID",
    field: "certificate",
    says: "clock",
  },
  {
    name: "expires too soon for minDaysLeft",
    run: (f) => parseBundle(f.shortLived, { ...opts, minDaysLeft: 30 }),
    code: "CERT_EXPIRES_SOON",
    field: "certificate",
    says: "5 days left",
  },
  {
    name: "chain in the wrong order",
    run: (f) => parseBundle({ ...f.rsa, chain: pemBlocks(f.ca.chainPem).reverse().join("") }, opts),
    code: "CHAIN_ORDER",
    field: "chain",
    says: '"Fixture Intermediate CA", then "Fixture Root CA"',
  },
  {
    name: "foreign certificate in the chain",
    run: (f) => parseBundle({ ...f.rsa, chain: f.ca.chainPem + f.foreignCa.rootPem }, opts),
    code: "CHAIN_FOREIGN",
    field: "chain",
    says: "Foreign Root CA",
  },
  {
    name: "leaf certificate of someone else in the chain",
    run: (f) => parseBundle({ ...f.rsa, chain: f.ca.intermediatePem + f.foreign.certificate }, opts),
    code: "CHAIN_FOREIGN",
    field: "chain",
  },
  // Without the missing link nobody can tell another CA's chain from the part above a gap; the message names both.
  {
    name: "chain of another CA only",
    run: (f) => parseBundle({ ...f.rsa, chain: f.foreignCa.chainPem }, opts),
    code: "CHAIN_INCOMPLETE",
    field: "chain",
    says: "another CA",
  },
  {
    name: "intermediate with the right name but another key",
    run: (f, x) => parseBundle({ ...f.rsa, chain: x.twinChain }, opts),
    code: "CHAIN_FOREIGN",
    field: "chain",
    says: "Fixture Intermediate CA",
  },
  {
    name: "intermediate missing between leaf and root",
    run: (f) => parseBundle({ ...f.rsa, chain: f.ca.rootPem }, opts),
    code: "CHAIN_INCOMPLETE",
    field: "chain",
    says: "Fixture Intermediate CA",
  },
  {
    name: "Action input names used in messages",
    run: (f) =>
      parseBundle(
        { ...f.rsa, privateKey: "   " },
        { ...opts, fields: { certificate: "cert-pem", privateKey: "key-pem", chain: "chain-pem" } },
      ),
    code: "PEM_EMPTY",
    field: "key-pem",
  },
  {
    name: "1024-bit RSA CSR for EnOS",
    run: async (_f, x) => checkCsrForEnos(await inspectCsr(x.weakCsr), "RSA"),
    code: "KEY_TOO_SMALL",
    field: "csr",
    says: "2048",
  },
  {
    name: "ECC CSR for EnOS issueAuthority RSA",
    run: async (_f, x) => checkCsrForEnos(await inspectCsr(x.eccCsr), "RSA"),
    code: "CSR_INVALID",
    field: "csr",
    says: "RSA",
  },
  { name: "garbage as a CSR", run: () => inspectCsr("hello, I am a CSR"), code: "CSR_INVALID", field: "csr" },
  {
    name: "certificate as a CSR",
    run: (f) => inspectCsr(f.rsa.certificate),
    code: "CSR_INVALID",
    field: "csr",
    says: "CERTIFICATE REQUEST",
  },
  {
    name: "a chain of 40 certificates",
    run: (f) => parseBundle({ ...f.rsa, chain: f.ca.chainPem.repeat(20) }, opts),
    code: "INPUT_INVALID",
    field: "chain",
    says: "1 to 4",
  },
  {
    name: "PEM text of a megabyte and more",
    run: (f) => splitPem(f.rsa.certificate.repeat(1500), "certificate"),
    code: "PEM_MALFORMED",
    field: "certificate",
  },
];

describe("bad input catalogue", () => {
  let f: X509Fixture;
  let extra: Extra;
  let secrets: string[];

  beforeAll(async () => {
    f = await makeX509Fixture();
    const weak = await openssl([
      "req",
      "-new",
      "-newkey",
      "rsa:1024",
      "-nodes",
      "-keyout",
      "weak.key",
      "-subj",
      "/CN=weak.example.com",
    ]);
    expect(weak.code).toBe(0);
    const twin = await TestCA.create({ name: "Fixture", now: NOW });
    extra = {
      weakCsr: weak.stdout,
      eccCsr: (await generateKeyAndCsr({ keyType: "ecc", commonName: "ecc.example.com" })).csr,
      twinChain: twin.chainPem,
    };
    secrets = f.privateKeys.flatMap(bodyLines);
  });

  it("has at least 18 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(18);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    let caught: unknown;
    try {
      await c.run(f, extra);
    } catch (error) {
      caught = error;
    }
    expect(caught, "expected an error").toSatisfy(isInputError);
    const error = caught as CertrelayError;
    expect({ code: error.code, field: error.field }).toEqual({ code: c.code, field: c.field });
    expect(error.message).toContain(c.field);
    if (c.says) expect(error.message).toContain(c.says);
    const printed = `${error.message}\n${JSON.stringify(error.toJSON())}`;
    expect(printed).not.toMatch(/PRIVATE KEY-----/);
    for (const line of secrets) expect(printed).not.toContain(line);
  });
});
