/**
 * PEM splitting without regular expressions over the whole input: a line scanner is linear on any input, so a
 * pasted megabyte of garbage can never make us hang, and each failure can say which line and which field.
 */
import { CertrelayError, ErrorCodes } from "../errors.js";

export interface PemBlock {
  /** The label between `BEGIN ` and the dashes, e.g. `CERTIFICATE`, `RSA PRIVATE KEY`. */
  type: string;
  /** Normalized PEM text: LF line ends, 64-column base64, trailing newline. */
  pem: string;
  der: Buffer;
  /** RFC 1421 headers (legacy `Proc-Type: 4,ENCRYPTED` keys), when present. */
  headers?: Record<string, string>;
}

/** Far above any real bundle (a long chain is a few tens of kB); refuses pasted archives before any work. */
const MAX_PEM_CHARS = 1_000_000;
const BEGIN = "-----BEGIN ";
const END = "-----END ";
const DASHES = "-----";
/** Blocks whose body is not DER, so the DER length check does not apply (they are refused later by type). */
const NON_DER_TYPES = new Set([
  "OPENSSH PRIVATE KEY",
  "SSH2 ENCRYPTED PRIVATE KEY",
  "PGP PRIVATE KEY BLOCK",
  "PGP PUBLIC KEY BLOCK",
]);

function malformed(field: string, detail: string): CertrelayError {
  return new CertrelayError(ErrorCodes.PEM_MALFORMED, `${field}: ${detail}`, { field });
}

function isBase64Char(code: number): boolean {
  return (
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    (code >= 48 && code <= 57) || // 0-9
    code === 43 || // +
    code === 47 // /
  );
}

/** True when the text holds control bytes a PEM file never has: a DER or PKCS#12 file read as text. */
function looksBinary(text: string): boolean {
  const sample = text.slice(0, 4096);
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) return true;
  }
  return false;
}

/** Length of a DER TLV from its header, or undefined when the header itself is cut. */
function derLength(der: Buffer): number | undefined {
  if (der.length < 2) return undefined;
  const first = der[1] ?? 0;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (der[2 + i] ?? 0);
  return 2 + n + len;
}

function labelOf(line: string, prefix: string): string | undefined {
  if (!line.startsWith(prefix) || !line.endsWith(DASHES) || line.length < prefix.length + DASHES.length)
    return undefined;
  return line.slice(prefix.length, line.length - DASHES.length).trim();
}

function wrap64(b64: string): string {
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return lines.join("\n");
}

/** Format DER as a PEM block of the given type. */
export function toPem(type: string, der: Uint8Array): string {
  return `-----BEGIN ${type}-----\n${wrap64(Buffer.from(der).toString("base64"))}\n-----END ${type}-----\n`;
}

/** The PEM block labels that hold an X.509 certificate (openssl writes all three). */
export const CERTIFICATE_TYPES: ReadonlySet<string> = new Set([
  "CERTIFICATE",
  "X509 CERTIFICATE",
  "TRUSTED CERTIFICATE",
]);

/**
 * Split text into PEM blocks. Text between blocks (openssl's `subject=` / `Bag Attributes` lines) is ignored.
 * Throws InputError PEM_EMPTY (nothing there) or PEM_MALFORMED (no BEGIN line, a missing END line, bad base64,
 * a body cut short) naming `field`. Never includes the field's content in a message.
 */
export function splitPem(text: string, field: string): PemBlock[] {
  if (typeof text !== "string" || text.trim() === "") {
    throw new CertrelayError(
      ErrorCodes.PEM_EMPTY,
      `${field} is empty: paste the PEM text including the -----BEGIN and -----END lines`,
      { field },
    );
  }
  if (text.length > MAX_PEM_CHARS) {
    throw malformed(
      field,
      `is ${text.length} characters, far more than any PEM bundle: check that the right file was given`,
    );
  }
  if (looksBinary(text)) {
    throw malformed(
      field,
      "contains binary data, not PEM text (a DER or PKCS#12 file?): convert it first, e.g. `openssl x509 -inform der -in cert.der -out cert.pem` or `openssl pkcs12 -in bundle.p12 -nodes`",
    );
  }
  // Secrets pasted into CI variables often arrive with literal "\n" instead of newlines; accept that form too.
  const normalized = !text.includes("\n") && text.includes("\\n") ? text.replaceAll("\\n", "\n") : text;
  const lines = normalized.replaceAll("\r\n", "\n").replaceAll("\r", "\n").split("\n");

  const blocks: PemBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = (lines[i] ?? "").trim();
    const type = labelOf(line, BEGIN);
    if (type === undefined) {
      if (line.startsWith(END))
        throw malformed(
          field,
          `line ${i + 1} has an END line without a matching BEGIN line: the start of the PEM block is missing`,
        );
      i++;
      continue;
    }
    if (type === "")
      throw malformed(field, `line ${i + 1}: the BEGIN line has no type (expected e.g. "-----BEGIN CERTIFICATE-----")`);
    const beginLine = i + 1;
    i++;
    const headers: Record<string, string> = {};
    let body = "";
    let closed = false;
    while (i < lines.length) {
      const inner = (lines[i] ?? "").trim();
      if (inner.startsWith(END)) {
        const endType = labelOf(inner, END);
        if (endType !== type) {
          throw malformed(
            field,
            `the block of type ${type} that starts on line ${beginLine} ends with a different END line on line ${i + 1}: the PEM was cut or two blocks were merged`,
          );
        }
        closed = true;
        i++;
        break;
      }
      if (inner.startsWith(BEGIN)) break;
      if (body === "" && inner.includes(":")) {
        const colon = inner.indexOf(":");
        headers[inner.slice(0, colon).trim()] = inner.slice(colon + 1).trim();
      } else if (inner !== "") {
        for (let k = 0; k < inner.length; k++) {
          const c = inner.charCodeAt(k);
          if (!isBase64Char(c) && c !== 61 /* = */ && c !== 32 && c !== 9) {
            throw malformed(
              field,
              `line ${i + 1} in the ${type} block has a character that is not base64: the text was altered (smart quotes, escapes?); copy the PEM again`,
            );
          }
        }
        body += inner.replaceAll(" ", "").replaceAll("\t", "");
      }
      i++;
    }
    if (!closed) {
      throw malformed(
        field,
        `the ${type} block that starts on line ${beginLine} has no "-----END ${type}-----" line: the PEM is truncated; copy the whole file`,
      );
    }
    const firstPad = body.indexOf("=");
    if (
      body === "" ||
      body.length % 4 !== 0 ||
      (firstPad !== -1 && firstPad < body.length - 2) ||
      (firstPad !== -1 && body.slice(firstPad) !== "=".repeat(body.length - firstPad))
    ) {
      throw malformed(
        field,
        `the ${type} block that starts on line ${beginLine} is not valid base64 (${body === "" ? "it is empty" : "wrong length or padding"}): the PEM is truncated or altered; copy the whole file`,
      );
    }
    const der = Buffer.from(body, "base64");
    const expected = derLength(der);
    // Encrypted legacy keys have an encrypted (non-DER) body; only DER bodies can be length-checked.
    const encryptedBody = Object.keys(headers).length > 0;
    if (!encryptedBody && !NON_DER_TYPES.has(type) && (expected === undefined || expected !== der.length)) {
      throw malformed(
        field,
        `the ${type} block that starts on line ${beginLine} does not hold complete DER data${expected !== undefined && expected > der.length ? " (it is cut short)" : ""}: the PEM is truncated or altered; copy the whole file`,
      );
    }
    const block: PemBlock = {
      type,
      der,
      pem: encryptedBody ? rebuildWithHeaders(type, headers, body) : toPem(type, der),
    };
    if (encryptedBody) block.headers = headers;
    blocks.push(block);
  }
  if (blocks.length === 0) {
    const compact = normalized.replace(/\s+/g, "");
    const hint =
      compact.length > 0 && /^[A-Za-z0-9+/=]+$/.test(compact)
        ? " (it looks like bare base64: add the -----BEGIN ...----- and -----END ...----- lines)"
        : "";
    throw malformed(
      field,
      `has no "-----BEGIN ...-----" line, so it is not PEM${hint}: paste the PEM file's whole text`,
    );
  }
  return blocks;
}

function rebuildWithHeaders(type: string, headers: Record<string, string>, body: string): string {
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
  return `-----BEGIN ${type}-----\n${head}\n\n${wrap64(body)}\n-----END ${type}-----\n`;
}
