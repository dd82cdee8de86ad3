/**
 * SwiftFederation signature v2 (VENDOR-NOTES): X-SFD-Date, X-SFD-Nonce, X-SFD-Signature-Version and
 * `Authorization: HMAC-SHA256 <accessKeyId>:<hex sig>` over `METHOD\nURI\n<canonical headers>\n<accessKeyId>\n<body>`.
 * A fresh date and nonce on every attempt: the CDN refuses a reused nonce and a date off by more than an hour.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { Clock } from "../../model.js";

export interface SfdSigningKey {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
}

/** `yyyyMMdd'T'HHmmss'Z'` */
export function sfdDate(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
}

/** A random number of up to 18 digits. */
export function sfdNonce(): string {
  return (randomBytes(8).readBigUInt64BE() % 1_000_000_000_000_000_000n).toString(10);
}

export function stringToSign(
  method: string,
  uri: string,
  headers: Record<string, string>,
  accessKeyId: string,
  body: string,
): string {
  const canonical = Object.entries(headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim()] as const)
    .filter(([k]) => k === "host" || k.startsWith("x-sfd-"))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}\n`)
    .join("");
  return `${method.toUpperCase()}\n${uri}\n${canonical}\n${accessKeyId}\n${body}`;
}

/** The headers to add to one attempt of a request. */
export function signRequest(
  req: SignableRequest,
  key: SfdSigningKey,
  now: Date,
  nonce: string = sfdNonce(),
): Record<string, string> {
  const sfd: Record<string, string> = {
    "X-SFD-Date": sfdDate(now),
    "X-SFD-Nonce": nonce,
    "X-SFD-Signature-Version": "2",
  };
  // The CDN canonicalises the Host header it receives; undici sends URL.host (port omitted when default).
  const signed = { ...pickSfdHeaders(req.headers), ...sfd, host: req.url.host };
  // inferred: URI is the request-target as sent, path plus query string.
  const uri = `${req.url.pathname}${req.url.search}`;
  const signature = createHmac("sha256", key.accessKeySecret)
    .update(stringToSign(req.method, uri, signed, key.accessKeyId, req.body ?? ""), "utf8")
    .digest("hex");
  return { ...sfd, Authorization: `HMAC-SHA256 ${key.accessKeyId}:${signature}` };
}

/** Other x-sfd-* headers a caller set are signed too (the canonical set is every x-sfd-* header). */
function pickSfdHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const lower = k.toLowerCase();
    if (
      lower.startsWith("x-sfd-") &&
      lower !== "x-sfd-date" &&
      lower !== "x-sfd-nonce" &&
      lower !== "x-sfd-signature-version"
    )
      out[lower] = v;
  }
  return out;
}

export function signerFor(key: SfdSigningKey, clock: Clock): (req: SignableRequest) => Record<string, string> {
  return (req) => signRequest(req, key, clock());
}
