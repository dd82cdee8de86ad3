/** What a certificate says about itself, in the core's words (see model.ts `DeployedCertificate`). */
import { X509Certificate } from "node:crypto";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { DAY_MS } from "../model.js";
import { CERTIFICATE_TYPES, splitPem } from "./pem.js";
import { describeKey } from "./keys.js";

export interface CertFacts {
  pem: string;
  /** One line, e.g. `CN=www.example.com, O=Example`. */
  subject: string;
  commonName: string;
  /** Plain names: `www.example.com`, `10.0.0.1`. */
  sans: string[];
  issuer: string;
  issuerCommonName: string;
  /** Upper-case hex, no leading zeros, no colons. */
  serial: string;
  serialDecimal: string;
  /** `AB:CD:...` as Node (and `openssl x509 -fingerprint -sha256`) prints it. */
  fingerprint256: string;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  keyType: "rsa" | "ec" | "other";
  keyBits?: number;
  /** NIST name when there is one (`P-256`), else OpenSSL's curve name. */
  curve?: string;
  selfSigned: boolean;
}

/** The fix to suggest when a block of `type` sits where a certificate belongs. */
export function wrongTypeHint(type: string, keyField = "private key"): string {
  if (type.includes("PRIVATE KEY")) return `this is a private key: put it in ${keyField} and the certificate here`;
  if (type.includes("CERTIFICATE REQUEST"))
    return "this is a CSR (a request), not a certificate: send it to your CA and paste the certificate it issues";
  if (type === "PUBLIC KEY") return "this is a public key: paste the certificate instead";
  if (type === "PKCS7") return "this is a PKCS#7 bundle: convert it with `openssl pkcs7 -print_certs -in bundle.p7b`";
  return 'paste a "-----BEGIN CERTIFICATE-----" block here';
}

/** What is wrong with the CA certificates a user gave to trust a private CA, when something is. */
export type CaCertificatesProblem =
  | { kind: "no-certificate" }
  | { kind: "private-key"; block: number }
  | { kind: "not-certificate"; block: number; type: string };

/**
 * One check for the three ways a user names a private CA (the Action's ca-certificate, the CLI's --ca-file, the
 * Lambda's CERTRELAY_CA_FILE), so none is weaker than another: every PEM block is a certificate that parses. Each
 * entry words the problem with its own setting's name and error kind; a block that does not parse throws
 * certificateFromDer's PEM_MALFORMED naming `field`. Block numbers only, never content: a key pasted here is a secret.
 */
export function caCertificatesProblem(text: string, field: string): CaCertificatesProblem | undefined {
  // No PEM block at all (a YAML file, a path where the text belongs): each entry says so in its own words.
  if (!text.includes("-----BEGIN")) return { kind: "no-certificate" };
  for (const [index, block] of splitPem(text, field).entries()) {
    if (block.type.includes("PRIVATE KEY")) return { kind: "private-key", block: index + 1 };
    if (!CERTIFICATE_TYPES.has(block.type)) return { kind: "not-certificate", block: index + 1, type: block.type };
    certificateFromDer(block.der, field);
  }
  return undefined;
}

/** Parse the first certificate in `pem` (PEM text of one certificate). */
export function parseCertificate(pem: string, field = "certificate"): X509Certificate {
  const blocks = splitPem(pem, field);
  const block = blocks[0];
  if (!block) throw new CertrelayError(ErrorCodes.PEM_EMPTY, `${field} is empty`, { field });
  if (!CERTIFICATE_TYPES.has(block.type)) {
    throw new CertrelayError(
      ErrorCodes.PEM_WRONG_TYPE,
      `${field} holds a ${block.type}, not a CERTIFICATE: ${wrongTypeHint(block.type)}`,
      { field },
    );
  }
  return certificateFromDer(block.der, field);
}

export function certificateFromDer(der: Buffer, field: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (error) {
    throw new CertrelayError(
      ErrorCodes.PEM_MALFORMED,
      `${field} is not a valid X.509 certificate (its PEM decodes, but the content does not parse): copy the certificate again`,
      { field, cause: error },
    );
  }
}

/** Normalize a hex serial: strips `0x`, colons and spaces, upper-cases, removes leading zeros ("0" stays "0"). */
export function normalizeSerial(hex: string): string {
  let s = String(hex).trim().replace(/^0x/i, "").replaceAll(":", "").replaceAll(" ", "").toUpperCase();
  if (s === "" || !/^[0-9A-F]+$/.test(s)) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `serial is not a hexadecimal number: give it as hex, e.g. 0A:1B:2C or 0A1B2C`,
      { field: "serial" },
    );
  }
  s = s.replace(/^0+/, "");
  return s === "" ? "0" : s;
}

export function serialFromDecimal(decimal: string): string {
  const s = String(decimal).trim();
  if (!/^\d+$/.test(s)) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `serial is not a decimal number: give digits only, e.g. 13358902045847232771`,
      { field: "serial" },
    );
  }
  return BigInt(s).toString(16).toUpperCase();
}

export function serialToDecimal(hex: string): string {
  return BigInt(`0x${normalizeSerial(hex)}`).toString(10);
}

/** Whole days left, floored (negative once expired): the CDN's `expireIn`. */
export function expireInDays(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** Validity length in days, rounded: CAs often end a "90 day" certificate one second early. */
export function lifetimeDays(facts: Pick<CertFacts, "notBefore" | "notAfter">): number {
  return Math.round((facts.notAfter.getTime() - facts.notBefore.getTime()) / DAY_MS);
}

/** Node prints names as `CN=a\nO=b`; values with special characters come JSON-quoted. */
function nameParts(name: string): Array<[string, string]> {
  const parts: Array<[string, string]> = [];
  for (const line of name.split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    parts.push([line.slice(0, eq), unquote(line.slice(eq + 1))]);
  }
  return parts;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === "string") return parsed;
    } catch {
      // not JSON after all: keep the raw text
    }
  }
  return value;
}

function oneLine(name: string): string {
  return nameParts(name)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

function commonNameOf(name: string): string {
  return nameParts(name).find(([k]) => k === "CN")?.[1] ?? "";
}

/** `DNS:a, IP Address:1.2.3.4` (values may be JSON-quoted) -> plain names. */
export function parseSubjectAltName(san: string | undefined): string[] {
  if (!san) return [];
  const names: string[] = [];
  let i = 0;
  while (i < san.length) {
    const colon = san.indexOf(":", i);
    if (colon === -1) break;
    const kind = san.slice(i, colon).trim();
    let j = colon + 1;
    let value: string;
    if (san[j] === '"') {
      // JSON string: find the closing quote that is not escaped
      let k = j + 1;
      while (k < san.length && san[k] !== '"') k += san[k] === "\\" ? 2 : 1;
      value = unquote(san.slice(j, k + 1));
      j = k + 1;
      const comma = san.indexOf(",", j);
      j = comma === -1 ? san.length : comma + 1;
    } else {
      const comma = san.indexOf(", ", j);
      value = san.slice(j, comma === -1 ? san.length : comma);
      j = comma === -1 ? san.length : comma + 2;
    }
    if (kind === "DNS" || kind === "IP Address") names.push(value.trim());
    i = j;
  }
  return names;
}

export function certFacts(cert: string | X509Certificate, field = "certificate"): CertFacts {
  try {
    const x = typeof cert === "string" ? parseCertificate(cert, field) : cert;
    const key = describeKey(x.publicKey);
    const serial = normalizeSerial(x.serialNumber);
    const facts: CertFacts = {
      pem: x.toString().replaceAll("\r\n", "\n").trimEnd() + "\n",
      subject: oneLine(x.subject),
      commonName: commonNameOf(x.subject),
      sans: parseSubjectAltName(x.subjectAltName),
      issuer: oneLine(x.issuer),
      issuerCommonName: commonNameOf(x.issuer),
      serial,
      serialDecimal: BigInt(`0x${serial}`).toString(10),
      fingerprint256: x.fingerprint256,
      notBefore: new Date(x.validFrom),
      notAfter: new Date(x.validTo),
      isCA: x.ca,
      keyType: key.keyType,
      selfSigned: isSelfSigned(x),
    };
    if (key.keyBits !== undefined) facts.keyBits = key.keyBits;
    if (key.curve !== undefined) facts.curve = key.curve;
    return facts;
  } catch (error) {
    if (error instanceof CertrelayError) throw error;
    throw new CertrelayError(
      ErrorCodes.PEM_MALFORMED,
      `${field} could not be read as a certificate: copy the certificate again`,
      { field, cause: error },
    );
  }
}

export function isSelfSigned(x: X509Certificate): boolean {
  try {
    return x.checkIssued(x) && x.verify(x.publicKey);
  } catch {
    return false;
  }
}
