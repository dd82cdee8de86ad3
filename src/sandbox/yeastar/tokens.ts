/**
 * The PBX's OpenAPI token ledger: access tokens (1800 s) and refresh tokens (86400 s) measured on the injected
 * clock, and the Software Edition's budget of 8 valid access tokens per application (VENDOR-NOTES).
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../../model.js";

export const ACCESS_TOKEN_SECONDS = 1800;
export const REFRESH_TOKEN_SECONDS = 86_400;

interface TokenPair {
  access: string;
  refresh: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
  revoked: boolean;
}

export type TokenCheck = "ok" | "missing" | "expired";

export interface IssuedTokens {
  access_token: string;
  access_token_expire_time: number;
  refresh_token: string;
  refresh_token_expire_time: number;
}

function newToken(): string {
  // 32 characters like the docs' example tokens (e.g. wOODrqhysk0aELacF87qd4lBvmbBY4IZ)
  return randomBytes(24).toString("base64url").slice(0, 32);
}

export class TokenLedger {
  private readonly pairs: TokenPair[] = [];
  issued = 0;
  refreshed = 0;
  revoked = 0;

  constructor(
    private readonly clock: Clock,
    readonly maxValidAccessTokens: number,
  ) {}

  private now(): number {
    return this.clock().getTime();
  }

  /** Access tokens that would be accepted right now. */
  validAccessTokens(): number {
    const now = this.now();
    return this.pairs.filter((p) => !p.revoked && p.accessExpiresAt > now).length;
  }

  /** undefined when the budget is used up. */
  issue(): IssuedTokens | undefined {
    if (this.validAccessTokens() >= this.maxValidAccessTokens) return undefined;
    this.issued += 1;
    return this.add();
  }

  /** Exchange a refresh token for a new pair; the old pair stops working (inferred: the docs only say "new pair"). */
  refresh(refreshToken: string): IssuedTokens | undefined {
    const now = this.now();
    const pair = this.pairs.find((p) => p.refresh === refreshToken && !p.revoked && p.refreshExpiresAt > now);
    if (!pair) return undefined;
    pair.revoked = true;
    this.refreshed += 1;
    return this.add();
  }

  check(accessToken: string | null): TokenCheck {
    if (!accessToken) return "missing";
    const pair = this.pairs.find((p) => p.access === accessToken);
    // inferred: an unknown or revoked token gets the same answer as an expired one (10004).
    if (!pair || pair.revoked || pair.accessExpiresAt <= this.now()) return "expired";
    return "ok";
  }

  revoke(accessToken: string): boolean {
    const pair = this.pairs.find((p) => p.access === accessToken && !p.revoked);
    if (!pair) return false;
    pair.revoked = true;
    this.revoked += 1;
    return true;
  }

  /** Chaos knob: every pair is revoked (an admin reset the API, the PBX restarted). Returns how many. */
  revokeAll(): number {
    let n = 0;
    for (const p of this.pairs) {
      if (!p.revoked) {
        p.revoked = true;
        n += 1;
      }
    }
    return n;
  }

  /** Chaos knob: every access token expires now (refresh tokens stay valid). Returns how many were valid. */
  expireAll(): number {
    const now = this.now();
    let n = 0;
    for (const p of this.pairs) {
      if (!p.revoked && p.accessExpiresAt > now) {
        p.accessExpiresAt = now;
        n += 1;
      }
    }
    return n;
  }

  private add(): IssuedTokens {
    const now = this.now();
    const pair: TokenPair = {
      access: newToken(),
      refresh: newToken(),
      accessExpiresAt: now + ACCESS_TOKEN_SECONDS * 1000,
      refreshExpiresAt: now + REFRESH_TOKEN_SECONDS * 1000,
      revoked: false,
    };
    this.pairs.push(pair);
    return {
      access_token: pair.access,
      access_token_expire_time: ACCESS_TOKEN_SECONDS,
      refresh_token: pair.refresh,
      refresh_token_expire_time: REFRESH_TOKEN_SECONDS,
    };
  }
}
