/**
 * Weak material is refused wherever it enters: a user's bundle, key or CSR, and a certificate an issuer hands
 * back. The floor is what browsers and the CA/Browser Forum Baseline Requirements (§6.1.5, §7.1.3.2) accept:
 * RSA of at least 2048 bits, ECDSA on P-256 or P-384, signatures with SHA-256 or better. DSA, MD5 and SHA-1 are
 * refused; Ed25519 only where the caller says its vendor takes it (none of certrelay's targets does today).
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { parseCertificate } from "./facts.js";
import { describeKey } from "./keys.js";

export interface StrengthPolicy {
  /** the vendor this material goes to accepts Ed25519 keys */
  ed25519?: boolean;
}

const RSA_MIN_BITS = 2048;
const CURVES = new Set(["P-256", "P-384"]);

const NEW_RSA = "`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`";
const NEW_EC = "`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`";

/** Signature algorithm OIDs that are refused, by the name openssl prints (RFC 3279, RFC 5758, RFC 8017). */
const WEAK_SIGNATURES: Record<string, string> = {
  "1.2.840.113549.1.1.2": "md2WithRSAEncryption",
  "1.2.840.113549.1.1.3": "md4WithRSAEncryption",
  "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.3.14.3.2.29": "sha1WithRSA (OIW)",
  "1.2.840.10045.4.1": "ecdsa-with-SHA1",
  "1.2.840.10040.4.3": "dsa-with-SHA1",
  "2.16.840.1.101.3.4.3.1": "dsa-with-SHA224",
  "2.16.840.1.101.3.4.3.2": "dsa-with-SHA256",
};

/** The name of a refused signature algorithm, or undefined when the algorithm is acceptable. */
export function weakSignatureName(algorithmOidOrName: string): string | undefined {
  const byOid = WEAK_SIGNATURES[algorithmOidOrName];
  if (byOid) return byOid;
  // names as inspectCsr reports them (`SHA1withRSA`, `MD5withRSA`, `SHA256withDSA`)
  return /^(MD2|MD4|MD5|SHA1)with|withDSA$/i.test(algorithmOidOrName) ? algorithmOidOrName : undefined;
}

/**
 * The outer signatureAlgorithm OID of a DER certificate (RFC 5280 §4.1: `Certificate ::= SEQUENCE { tbsCertificate,
 * signatureAlgorithm AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, ... }, signatureValue }`).
 * Node's X509Certificate (which has parsed and checked these bytes before they get here) does not expose it on Node
 * 20. Read by hand rather than with an ASN.1 library: three DER headers and one OID, where asn1js costs every start
 * of every bundle ~10 ms to load and @peculiar/asn1-x509's schema more (test: x509-signature-algorithm-oid, which
 * checks this against @peculiar/asn1-x509 on certificates from openssl).
 */
export function signatureAlgorithmOf(der: Uint8Array): string {
  const certificate = derElement(der, 0, der.length, 0x30);
  const tbsCertificate = derElement(der, certificate.start, certificate.end, 0x30);
  const algorithmIdentifier = derElement(der, tbsCertificate.end, certificate.end, 0x30);
  const algorithm = derElement(der, algorithmIdentifier.start, algorithmIdentifier.end, 0x06);
  return oidText(der.subarray(algorithm.start, algorithm.end));
}

function notACertificate(): TypeError {
  return new TypeError("not a DER X.509 certificate: no signatureAlgorithm");
}

/** The DER element (X.690 §8.1: tag, definite length, contents) at `offset`, which must end by `limit`. */
function derElement(der: Uint8Array, offset: number, limit: number, tag: number): { start: number; end: number } {
  if (der[offset] !== tag) throw notACertificate();
  let length = der[offset + 1] ?? -1;
  let start = offset + 2;
  if (length >= 0x80) {
    // long form: the low bits say how many length bytes follow (a certificate needs at most 4)
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw notACertificate();
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (der[start + i] ?? Number.NaN);
    start += count;
  }
  const end = start + length;
  if (!(length >= 0) || end > limit) throw notACertificate();
  return { start, end };
}

/** Dotted text of an OID's contents (X.690 §8.19: base-128 arcs, the first two packed as 40 * x + y). */
function oidText(contents: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of contents) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs[0];
  if (first === undefined || (contents.at(-1) ?? 0) & 0x80) throw notACertificate();
  const x = first < 80 ? Math.floor(first / 40) : 2;
  return [x, first - 40 * x, ...arcs.slice(1)].join(".");
}

/**
 * Refuse a weak public or private key. `what` says whose key it is in the message (e.g. `the certificate
 * "www.example.com"`); `field` is the input the user fixes.
 */
export function checkKeyStrength(key: KeyObject, field: string, what: string, policy: StrengthPolicy = {}): void {
  const type = key.asymmetricKeyType ?? "unknown";
  const description = describeKey(key);
  if (type === "rsa" || type === "rsa-pss") {
    const bits = description.keyBits ?? 0;
    if (bits < RSA_MIN_BITS) {
      throw new CertrelayError(
        ErrorCodes.KEY_TOO_SMALL,
        `${field}: ${what} has a ${bits}-bit RSA key; at least ${RSA_MIN_BITS} bits are required: generate a new key with ${NEW_RSA} and a certificate for it`,
        { field },
      );
    }
    return;
  }
  if (type === "ec") {
    if (!description.curve || !CURVES.has(description.curve)) {
      throw new CertrelayError(
        ErrorCodes.KEY_UNSUPPORTED,
        `${field}: ${what} has an EC key on ${description.curve ?? "an unnamed curve"}; only P-256 and P-384 are accepted: generate a new key with ${NEW_EC} and a certificate for it`,
        { field },
      );
    }
    return;
  }
  if (type === "ed25519" && policy.ed25519) return;
  const why =
    type === "dsa"
      ? "DSA keys are no longer accepted for TLS (FIPS 186-5 withdrew DSA signing)"
      : type === "ed25519"
        ? "the vendor this goes to does not accept Ed25519 keys"
        : `${type} keys cannot serve TLS certificates here`;
  throw new CertrelayError(
    ErrorCodes.KEY_UNSUPPORTED,
    `${field}: ${what} has a${type === "ed25519" ? "n" : ""} ${type.toUpperCase()} key: ${why}; use RSA-2048 (${NEW_RSA}) or EC P-256 (${NEW_EC})`,
    { field },
  );
}

/** Refuse an MD5, SHA-1 or DSA signature on a certificate (DER) or a CSR (algorithm name). */
export function checkSignature(algorithm: string, field: string, what: string): void {
  const weak = weakSignatureName(algorithm);
  if (weak === undefined) return;
  throw new CertrelayError(
    ErrorCodes.SIGNATURE_WEAK,
    `${field}: ${what} is signed with ${weak}, which is refused (MD5 and SHA-1 are broken, DSA is withdrawn): have it signed again with SHA-256 (\`openssl req -sha256\`, or ask the CA to reissue it)`,
    { field },
  );
}

/** A CSR from a user: its key and its signature. */
export function checkCsrStrength(
  csr: { publicKeyPem: string; signatureAlgorithm: string },
  field = "csr",
  policy: StrengthPolicy = {},
): void {
  checkKeyStrength(createPublicKey(csr.publicKeyPem), field, "the certificate request", policy);
  checkSignature(csr.signatureAlgorithm, field, "the certificate request");
}

/** A certificate on its own (e.g. what an issuer returned to `apply`): its key and its signature. */
export function checkCertificateStrength(pem: string, field: string, policy: StrengthPolicy = {}): void {
  const x = parseCertificate(pem, field);
  const what = `the certificate "${commonNameOf(x.subject) || "?"}"`;
  checkKeyStrength(x.publicKey, field, what, policy);
  checkSignature(signatureAlgorithmOf(x.raw), field, what);
}

function commonNameOf(subject: string): string {
  return /(?:^|\n)CN=([^\n]*)/.exec(subject)?.[1] ?? "";
}
