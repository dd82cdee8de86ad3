/**
 * SwiftFederation signature v2, checked the way the CDN checks it (VENDOR-NOTES, "Auth (signature v2)").
 * Written independently of the provider's signer on purpose: a shared helper would hide a bug in both.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export interface SfdAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
}

export type AuthOutcome = { ok: true; nonce: string } | { ok: false; status: number; code: string; message: string };

const HOUR_MS = 3_600_000;
const DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const AUTH_RE = /^HMAC-SHA256 ([^:\s]+):([0-9a-fA-F]{64})$/;

/** `yyyyMMdd'T'HHmmss'Z'` -> epoch ms, or undefined when it does not have that exact shape. */
export function parseSfdDate(value: string): number | undefined {
  const m = DATE_RE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(t) ? undefined : t;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** `host` and every `x-sfd-*` header, lowercased, sorted, each `name:value\n`. */
export function canonicalHeaders(headers: IncomingHttpHeaders): string {
  return Object.keys(headers)
    .map((k) => k.toLowerCase())
    .filter((k) => k === "host" || k.startsWith("x-sfd-"))
    .sort()
    .map((k) => `${k}:${(header(headers, k) ?? "").trim()}\n`)
    .join("");
}

export interface AuthCheck {
  method: string;
  /** the request-target as sent (path and query) */
  uri: string;
  headers: IncomingHttpHeaders;
  body: string;
  now: number;
  keys: ReadonlyMap<string, string>;
  /** true when this nonce was already used inside the date window */
  seenNonce(nonce: string): boolean;
}

// inferred: the notes name `403 Permission.Forbidden` as the CDN's refusal but not which failure gets which status;
// every signature failure answers 403 Permission.Forbidden here, with a message saying which check failed.
function forbidden(message: string): AuthOutcome {
  return { ok: false, status: 403, code: "Permission.Forbidden", message };
}

export function checkSignature(req: AuthCheck): AuthOutcome {
  const authorization = header(req.headers, "authorization");
  const date = header(req.headers, "x-sfd-date");
  const nonce = header(req.headers, "x-sfd-nonce");
  const version = header(req.headers, "x-sfd-signature-version");
  if (!authorization) return forbidden("Authorization header is missing.");
  const auth = AUTH_RE.exec(authorization);
  if (!auth) return forbidden("Authorization header is malformed.");
  if (version !== "2") return forbidden("X-SFD-Signature-Version must be 2.");
  if (!date) return forbidden("X-SFD-Date header is missing.");
  const at = parseSfdDate(date);
  if (at === undefined) return forbidden("X-SFD-Date is malformed.");
  if (Math.abs(req.now - at) > HOUR_MS) return forbidden("X-SFD-Date is out of the allowed time window.");
  if (!nonce) return forbidden("X-SFD-Nonce header is missing.");
  if (!/^\d{1,18}$/.test(nonce)) return forbidden("X-SFD-Nonce is malformed.");
  const accessKeyId = auth[1] as string;
  const secret = req.keys.get(accessKeyId);
  if (secret === undefined) return forbidden("AccessKeyId does not exist.");
  const stringToSign = `${req.method}\n${req.uri}\n${canonicalHeaders(req.headers)}\n${accessKeyId}\n${req.body}`;
  const expected = createHmac("sha256", secret).update(stringToSign, "utf8").digest();
  const given = Buffer.from((auth[2] as string).toLowerCase(), "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return forbidden("Signature does not match.");
  // inferred: a nonce is single-use inside the date window (that is what a nonce is for; the notes do not say).
  if (req.seenNonce(nonce)) return forbidden("X-SFD-Nonce has already been used.");
  return { ok: true, nonce };
}

/** Remembers nonces for the length of the date window so a captured request cannot be replayed. */
export class NonceLedger {
  private readonly seen = new Map<string, number>();
  private lastPrune = 0;

  /** Records the nonce; answers true when it was already there. */
  use(nonce: string, now: number): boolean {
    if (now - this.lastPrune > HOUR_MS / 4) {
      for (const [n, t] of this.seen) if (now - t > 2 * HOUR_MS) this.seen.delete(n);
      this.lastPrune = now;
    }
    if (this.seen.has(nonce)) return true;
    this.seen.set(nonce, now);
    return false;
  }
}
