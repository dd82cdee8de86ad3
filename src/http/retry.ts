/**
 * Retry decisions and delays. The loop itself lives in the client: p-retry has no injectable sleep and no way to
 * take a per-failure delay (Retry-After), and tests must never wait, so a dozen lines of loop beat bending it.
 */

export interface RetryPolicy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  retries: 3,
  minDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

export function resolveRetryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  const merged: RetryPolicy = { ...defaultRetryPolicy };
  for (const [name, value] of Object.entries(partial ?? {}) as [keyof RetryPolicy, number | undefined][]) {
    if (value !== undefined) merged[name] = value;
  }
  return {
    retries: Math.max(0, Math.floor(merged.retries)),
    minDelayMs: Math.max(0, merged.minDelayMs),
    maxDelayMs: Math.max(merged.minDelayMs, merged.maxDelayMs),
    maxRetryAfterMs: Math.max(0, merged.maxRetryAfterMs),
  };
}

/**
 * Delay before retry number `retry` (1-based): exponential from minDelayMs, capped at maxDelayMs, with "equal
 * jitter" — half fixed, half random — so clients that failed together spread out yet never retry instantly.
 * Always within [ceiling / 2, ceiling] where ceiling = min(maxDelayMs, minDelayMs * 2^(retry-1)).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.max(0, retry - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** Node and undici error codes that mean the connection failed or dropped, not that the server answered. */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

/**
 * Failures where no byte of the request left this machine: the connection was never made. Only these are retried
 * for a non-idempotent request (POST/PATCH), because the server cannot have acted on it.
 */
const NOTHING_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === "string" && (NETWORK_CODES.has(code) || code.startsWith("UND_ERR_"))) return code;
    if (current instanceof AggregateError && current.errors.length > 0) {
      current = current.errors[0];
      continue;
    }
    current = current.cause;
  }
  return undefined;
}

export function isNetworkError(error: unknown): boolean {
  return errorCode(error) !== undefined;
}

export function nothingWasSent(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && NOTHING_SENT_CODES.has(code);
}
