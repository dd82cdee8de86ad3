/** ACME answers -> certrelay errors that carry the CA's problem document and say what to do. */
import { CertrelayError, ErrorCodes } from "../../errors.js";
import type { AcmeProblem } from "./types.js";

const VENDOR = "acme";
const PROBLEM = "urn:ietf:params:acme:error:";

/** Failed validations count against the CA's limits (Let's Encrypt: 5 per identifier per account per hour). */
export const FAILED_VALIDATION_BACKOFF_MS = 60 * 60 * 1000;
/** A 429 without Retry-After (RFC 8555 §6.6 says the CA should send one). */
export const RATE_LIMIT_DEFAULT_MS = 60 * 60 * 1000;

/** An HTTP answer >= 400 from the CA, caught before acme-client flattens it into a message. */
export class AcmeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly problem: AcmeProblem,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`ACME server answered ${status} for ${url}${problem.detail ? `: ${problem.detail}` : ""}`);
    this.name = "AcmeHttpError";
  }
}

/** A request to the CA that got no HTTP answer (connection refused or dropped, timeout). Carries no axios `config`. */
export class AcmeTransportError extends Error {
  constructor(
    readonly url: string,
    readonly code: string | undefined,
    detail: string,
    cause: unknown,
  ) {
    super(`no answer from ${url || "the CA"} (${code ? `${code}: ` : ""}${detail})`, { cause });
    this.name = "AcmeTransportError";
  }
}

/** `type (detail); subproblems: id: type (detail)` — the CA's own words, which are what a user can act on. */
export function describeProblem(problem: AcmeProblem | undefined): string {
  if (!problem) return "no problem document";
  const short = (type: string | undefined) => (type ?? "unknown").replace(PROBLEM, "");
  const main = `${short(problem.type)}${problem.detail ? ` (${problem.detail})` : ""}`;
  const subs = (problem.subproblems ?? []).map(
    (s) => `${s.identifier?.value ?? "?"}: ${short(s.type)}${s.detail ? ` (${s.detail})` : ""}`,
  );
  return subs.length > 0 ? `${main}; subproblems: ${subs.join("; ")}` : main;
}

/** Parse Retry-After (delta-seconds or HTTP date, RFC 9110 §10.2.3) into milliseconds from `now`. */
export function retryAfterMs(header: string | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** Map what an acme-client call threw; anything that is not an HTTP answer means the CA was not reached. */
export function mapAcmeError(error: unknown, action: string, directoryUrl: string, now: Date): unknown {
  if (error instanceof CertrelayError) return error;
  if (!(error instanceof AcmeHttpError)) {
    const detail = error instanceof Error ? error.message : String(error);
    if (error instanceof AcmeTransportError) {
      return new CertrelayError(
        ErrorCodes.NETWORK_ERROR,
        `could not ${action}: the CA at ${directoryUrl} did not answer (${detail}); check that the directory is reachable from here, the next run tries again`,
        { vendor: VENDOR, cause: error },
      );
    }
    return new CertrelayError(
      ErrorCodes.NETWORK_ERROR,
      `could not ${action} at ${directoryUrl} (network error, timeout or unreadable answer: ${detail}); the next run tries again`,
      { vendor: VENDOR, cause: error },
    );
  }
  const { status, problem } = error;
  const type = problem.type ?? "";
  const base = { vendor: VENDOR, status, cause: error, ...(type ? { vendorCode: type } : {}) };
  if (status === 429 || type === `${PROBLEM}rateLimited` || status === 503) {
    const waitMs = error.retryAfterMs ?? (status === 503 ? undefined : RATE_LIMIT_DEFAULT_MS);
    const retryAt = waitMs === undefined ? undefined : new Date(now.getTime() + waitMs);
    return new CertrelayError(
      ErrorCodes.RATE_LIMITED,
      `the CA at ${directoryUrl} refused to ${action} for now: ${describeProblem(problem)}${retryAt ? `; certrelay will not ask again before ${retryAt.toISOString()} (Retry-After)` : "; the next run tries again"}`,
      { ...base, ...(retryAt ? { backoffUntil: retryAt } : {}) },
    );
  }
  if (
    type === `${PROBLEM}externalAccountRequired` ||
    (type === `${PROBLEM}unauthorized` && action.includes("account"))
  ) {
    return new CertrelayError(
      ErrorCodes.AUTH_FAILED,
      `the CA at ${directoryUrl} refused the account (${describeProblem(problem)}): put eabKid and eabHmacKey from the CA into the issuer's credentials secret`,
      { vendor: VENDOR, field: "eabKid", cause: error },
    );
  }
  if (type === `${PROBLEM}userActionRequired` || type === `${PROBLEM}agreementRequired`) {
    return new CertrelayError(
      ErrorCodes.CONFIG_INVALID,
      `the CA at ${directoryUrl} wants its terms of service agreed (${describeProblem(problem)}): read them and set issuer acceptTos: true`,
      { vendor: VENDOR, field: "issuer.acceptTos", cause: error },
    );
  }
  if (type === `${PROBLEM}rejectedIdentifier` || type === `${PROBLEM}caa` || type === `${PROBLEM}invalidProfile`) {
    return new CertrelayError(
      ErrorCodes.VENDOR_REJECTED,
      `the CA at ${directoryUrl} refused to ${action}: ${describeProblem(problem)}`,
      base,
    );
  }
  return new CertrelayError(
    ErrorCodes.VENDOR_ERROR,
    `the CA at ${directoryUrl} failed to ${action}: ${describeProblem(problem)}`,
    base,
  );
}
