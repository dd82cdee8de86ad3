/**
 * The CDN's certificate records and the checks `POST /sfd/v2.0/certs` makes (cdn-upload-certificate.txt).
 * Parsing uses node:crypto directly so the sandbox judges uploads independently of the client's own checks.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";

/** One stored certificate. Seeded records carry no PEM material (they only feed list/get for benchmarks). */
export interface CdnCertificateRecord {
  id: number;
  customerId: number;
  commonName: string;
  /** DNS names, in certificate order */
  sans: string[];
  serialHex: string;
  serialDecimal: string;
  issuerCommonName: string;
  organization: string;
  organizationalUnit: string;
  country: string;
  stateOrProvince: string;
  locality: string;
  validFrom: Date;
  validTo: Date;
  created: Date;
  /** present for real uploads: what the HTTPS edge serves */
  material?: { certificate: string; privateKey: string; chain: string };
}

export type UploadRejection = { code: string; message: string };

// The four 400 answers of the spec, verbatim.
export const CERTIFICATE_INVALID: UploadRejection = {
  code: "Certificate.Invalid",
  message: "Certificate is empty or invalid.",
};
export const PRIVATE_KEY_INVALID: UploadRejection = {
  code: "PrivateKey.Invalid",
  message: "PrivateKey is empty or invalid.",
};
export const UPLOAD_CERTIFICATE_INVALID: UploadRejection = {
  code: "Upload.Certificate.Invalid",
  message: "Upload certificate has error.",
};
export const KEY_PAIR_INVALID: UploadRejection = {
  code: "Certificate.Invalid",
  message: "Certificate or privateKey invalid.",
};

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** One unencrypted key block: PKCS#1 RSA (the spec), SEC1 EC, or PKCS#8 (an older docs example). */
const KEY_BLOCK = /^\s*-----BEGIN (RSA |EC )?PRIVATE KEY-----[\s\S]+-----END \1?PRIVATE KEY-----\s*$/;

/** Subject/issuer DN as Node prints it (`C=US\nO=Org\nCN=name`) -> attribute map (first value wins). */
export function dnFields(dn: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of dn.split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const k = line.slice(0, eq).trim();
    if (!out.has(k)) out.set(k, line.slice(eq + 1).trim());
  }
  return out;
}

export function dnsNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(/,\s*/)
    .filter((s) => s.startsWith("DNS:"))
    .map((s) => s.slice(4));
}

export function hexToDecimal(hex: string): string {
  return BigInt(`0x${hex}`).toString(10);
}

function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

export type UploadCheck =
  | { ok: true; leaf: X509Certificate; key: KeyObject; chain: X509Certificate[]; chainPem: string }
  | { ok: false; rejection: UploadRejection };

/** The checks behind the spec's four 400s, in the order the CDN most plausibly makes them. */
export function checkUpload(body: unknown): UploadCheck {
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const certificate = fields.certificate;
  const privateKey = fields.privateKey;
  const chain = fields.chain;

  const leafBlocks = typeof certificate === "string" ? (certificate.match(CERT_BLOCK) ?? []) : [];
  const leaf = leafBlocks[0] === undefined ? undefined : parseCertificate(leafBlocks[0]);
  if (!leaf) return { ok: false, rejection: CERTIFICATE_INVALID };

  // The spec shows PKCS#1 RSA, an older docs example PKCS#8, and the docs pair an ECC-issued certificate with a key:
  // "RSA only" is not established (VENDOR-NOTES). inferred: RSA and EC keys in PKCS#1/SEC1/PKCS#8 are taken;
  // anything else (encrypted, other key types) is PrivateKey.Invalid.
  if (typeof privateKey !== "string" || !KEY_BLOCK.test(privateKey))
    return { ok: false, rejection: PRIVATE_KEY_INVALID };
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    return { ok: false, rejection: PRIVATE_KEY_INVALID };
  }
  if (key.asymmetricKeyType !== "rsa" && key.asymmetricKeyType !== "ec")
    return { ok: false, rejection: PRIVATE_KEY_INVALID };
  if (!leaf.checkPrivateKey(key)) return { ok: false, rejection: KEY_PAIR_INVALID };

  // inferred: "Upload certificate has error." covers a chain that cannot be read or does not chain up from the
  // leaf (each certificate must have issued the one before it).
  let chainCerts: X509Certificate[] = [];
  if (typeof chain === "string" && chain.trim() !== "") {
    const blocks = chain.match(CERT_BLOCK) ?? [];
    const parsed = blocks.map(parseCertificate);
    if (blocks.length === 0 || parsed.some((c) => c === undefined))
      return { ok: false, rejection: UPLOAD_CERTIFICATE_INVALID };
    chainCerts = parsed as X509Certificate[];
    let child = leaf;
    for (const parent of chainCerts) {
      if (!child.checkIssued(parent) || !child.verify(parent.publicKey))
        return { ok: false, rejection: UPLOAD_CERTIFICATE_INVALID };
      child = parent;
    }
  } else if (chain !== undefined && chain !== null && typeof chain !== "string") {
    return { ok: false, rejection: UPLOAD_CERTIFICATE_INVALID };
  }
  return { ok: true, leaf, key, chain: chainCerts, chainPem: chainCerts.map((c) => c.toString()).join("") };
}

/** Builds the stored record for an accepted upload. */
export function recordFromUpload(
  check: Extract<UploadCheck, { ok: true }>,
  id: number,
  customerId: number,
  created: Date,
): CdnCertificateRecord {
  const { leaf } = check;
  const subject = dnFields(leaf.subject);
  const issuer = dnFields(leaf.issuer);
  const serialHex = leaf.serialNumber.toUpperCase();
  return {
    id,
    customerId,
    commonName: subject.get("CN") ?? "",
    sans: dnsNames(leaf.subjectAltName),
    serialHex,
    serialDecimal: hexToDecimal(serialHex),
    issuerCommonName: issuer.get("CN") ?? "",
    organization: subject.get("O") ?? "",
    organizationalUnit: subject.get("OU") ?? "",
    country: subject.get("C") ?? "",
    stateOrProvince: subject.get("ST") ?? "",
    locality: subject.get("L") ?? "",
    validFrom: new Date(leaf.validFrom),
    validTo: new Date(leaf.validTo),
    created,
    material: {
      certificate: leaf.toString(),
      // kept as the form it came in (PKCS#1 for RSA, SEC1 for EC), as the inspector shows it
      privateKey: check.key
        .export({ type: check.key.asymmetricKeyType === "ec" ? "sec1" : "pkcs1", format: "pem" })
        .toString(),
      chain: check.chainPem,
    },
  };
}

/** `yyyy-MM-dd'T'HH:mm:ss'Z'`, the spec's time format. */
export function sfdTime(date: Date, withMillis = false): string {
  const iso = date.toISOString();
  return withMillis ? iso : `${iso.slice(0, 19)}Z`;
}

/** Wildcard-aware host match: `*.example.org` covers exactly one extra label. */
export function nameCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === h) return true;
  if (!p.startsWith("*.")) return false;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

export function recordCovers(record: CdnCertificateRecord, host: string): boolean {
  return nameCovers(record.commonName, host) || record.sans.some((n) => nameCovers(n, host));
}
