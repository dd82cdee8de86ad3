/**
 * EnOS API gateway (APIM) authentication as the sandbox checks it: the token service's `encryption`, one token
 * per application reused until it expires, and the per-request `apim-signature`.
 * Rules: EnvisionDoc "Get Access Token" / "Invoking API with Access Token", VENDOR-NOTES (EnOS).
 */
import { createHash, randomBytes } from "node:crypto";

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** `encryption = sha256(appKey + timestamp + appSecret)`, lowercase hex. */
export function tokenEncryption(appKey: string, timestamp: string, appSecret: string): string {
  return sha256Hex(`${appKey}${timestamp}${appSecret}`);
}

/**
 * `apim-signature = sha256(accessToken + paramsData + timestamp + appSecret)`, where paramsData is the query
 * parameters sorted by name (ASCII order), each as name+value, followed by the JSON request body when there is one
 * (EnOS "Invoking API with Access Token": "append the request body after the concatenated string").
 */
export function apimSignature(
  accessToken: string,
  query: URLSearchParams,
  body: string,
  timestamp: string,
  appSecret: string,
): string {
  const names = [...new Set(query.keys())].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // Java's HttpUrl.queryParameter (the EnOS sample) takes the first value of a repeated name.
  const params = names.map((name) => `${name}${query.get(name) ?? ""}`).join("");
  return sha256Hex(`${accessToken}${params}${body}${timestamp}${appSecret}`);
}

/** APIM status codes (EnOS "Invoking API with Access Token", Error Codes). */
export const ApimStatus = {
  OK: 0,
  DUPLICATE_ENCRYPTION: 1001,
  APP_KEY_UNKNOWN: 1002,
  ENCRYPTION_INVALID: 1003,
  INVALID_PARAMETER: 1004,
  INTERNAL: 1005,
  PARAMETER_EMPTY: 1202,
  TOKEN_EXPIRED: 1203,
} as const;

export interface IssuedToken {
  accessToken: string;
  appKey: string;
  expiresAt: number;
}

export type AuthOutcome = { ok: true; token: IssuedToken } | { ok: false; status: number; msg: string };

/** Tokens by application: asking again before expiry answers the same token (EnOS "Get Access Token"). */
export class TokenLedger {
  private readonly byApp = new Map<string, IssuedToken>();
  private readonly byToken = new Map<string, IssuedToken>();
  /** encryption values already used: the token service refuses a repeat (code 1001) */
  private readonly usedEncryptions = new Map<string, number>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly secrets: ReadonlyMap<string, string>,
    /** inferred: how far `timestamp` may be from server time; the docs do not say, 5 minutes is the usual gateway window */
    readonly windowMs: number,
  ) {}

  get(
    body: unknown,
    now: number,
  ): { ok: true; token: IssuedToken; fresh: boolean } | { ok: false; status: number; msg: string } {
    const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const appKey = typeof fields.appKey === "string" ? fields.appKey : "";
    const encryption = typeof fields.encryption === "string" ? fields.encryption : "";
    const timestamp =
      typeof fields.timestamp === "number" || typeof fields.timestamp === "string" ? String(fields.timestamp) : "";
    if (!appKey || !encryption || !timestamp)
      return { ok: false, status: ApimStatus.PARAMETER_EMPTY, msg: "The parameter is empty." };
    const secret = this.secrets.get(appKey);
    if (secret === undefined)
      return { ok: false, status: ApimStatus.APP_KEY_UNKNOWN, msg: "The appKey does not exist." };
    const ts = Number(timestamp);
    if (!Number.isFinite(ts) || Math.abs(now - ts) > this.windowMs) {
      // inferred: a stale timestamp is refused as an invalid parameter
      return {
        ok: false,
        status: ApimStatus.INVALID_PARAMETER,
        msg: "Invalid parameter: timestamp is out of the allowed window.",
      };
    }
    if (encryption !== tokenEncryption(appKey, timestamp, secret))
      return { ok: false, status: ApimStatus.ENCRYPTION_INVALID, msg: "The encryption is not valid." };
    if (this.usedEncryptions.has(encryption))
      return {
        ok: false,
        status: ApimStatus.DUPLICATE_ENCRYPTION,
        msg: "Repeated requests with duplicated encryption.",
      };
    this.remember(encryption, now);
    const current = this.byApp.get(appKey);
    if (current && current.expiresAt > now) return { ok: true, token: current, fresh: false };
    if (current) this.byToken.delete(current.accessToken);
    const token: IssuedToken = {
      accessToken: randomBytes(16).toString("hex"),
      appKey,
      expiresAt: now + this.ttlSeconds * 1000,
    };
    this.byApp.set(appKey, token);
    this.byToken.set(token.accessToken, token);
    return { ok: true, token, fresh: true };
  }

  /** An encryption outside the timestamp window is refused anyway, so only recent ones need remembering. */
  private remember(encryption: string, now: number): void {
    if (this.usedEncryptions.size >= 10_000) {
      for (const [used, at] of this.usedEncryptions) if (now - at > this.windowMs) this.usedEncryptions.delete(used);
    }
    this.usedEncryptions.set(encryption, now);
  }

  /** A new token's lifetime in seconds. */
  get ttl(): number {
    return this.ttlSeconds;
  }

  /** Seconds left on a token, for the `expire` field. */
  secondsLeft(token: IssuedToken, now: number): number {
    return Math.max(0, Math.round((token.expiresAt - now) / 1000));
  }

  /** The chaos knob: every live token expires now. Returns how many were live. */
  expireAll(now: number): number {
    let live = 0;
    for (const token of this.byApp.values()) {
      if (token.expiresAt > now) live += 1;
      token.expiresAt = Math.min(token.expiresAt, now);
    }
    return live;
  }

  verify(
    headers: Record<string, string | string[] | undefined>,
    query: URLSearchParams,
    body: string,
    now: number,
  ): AuthOutcome {
    const header = (name: string): string => {
      const v = headers[name];
      return Array.isArray(v) ? (v[0] ?? "") : (v ?? "");
    };
    const accessToken = header("apim-accesstoken");
    const timestamp = header("apim-timestamp");
    const signature = header("apim-signature");
    if (!accessToken || !timestamp || !signature) {
      return {
        ok: false,
        status: ApimStatus.PARAMETER_EMPTY,
        msg: "The parameter is empty: apim-accesstoken, apim-timestamp and apim-signature are required.",
      };
    }
    const token = this.byToken.get(accessToken);
    // inferred: an unknown token answers like an expired one, so clients take a new token either way
    if (!token || token.expiresAt <= now)
      return { ok: false, status: ApimStatus.TOKEN_EXPIRED, msg: "The access token has expired." };
    const ts = Number(timestamp);
    if (!Number.isFinite(ts) || Math.abs(now - ts) > this.windowMs) {
      return {
        ok: false,
        status: ApimStatus.INVALID_PARAMETER,
        msg: "Invalid parameter: apim-timestamp is out of the allowed window.",
      };
    }
    const secret = this.secrets.get(token.appKey) ?? "";
    if (signature !== apimSignature(accessToken, query, body, timestamp, secret)) {
      // inferred: the docs list no code for a bad request signature; 1003 is the token service's "not valid" code
      return { ok: false, status: ApimStatus.ENCRYPTION_INVALID, msg: "The apim-signature is not valid." };
    }
    return { ok: true, token };
  }
}
