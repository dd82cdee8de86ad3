/**
 * One base error for certrelay. Every error a user can see carries a stable `code` (for `--json`, logs and
 * tests), the `field` or `vendor` involved when there is one, and a message that says how to fix it.
 * Messages must never contain secret material: callers pass field names, never values.
 */
export const ErrorCodes = {
  // input (bad PEM, bad config, bad flags): always raised before any remote call
  PEM_EMPTY: "PEM_EMPTY",
  PEM_MALFORMED: "PEM_MALFORMED",
  PEM_WRONG_TYPE: "PEM_WRONG_TYPE",
  KEY_ENCRYPTED: "KEY_ENCRYPTED",
  KEY_UNSUPPORTED: "KEY_UNSUPPORTED",
  KEY_MISMATCH: "KEY_MISMATCH",
  KEY_TOO_SMALL: "KEY_TOO_SMALL",
  /** a certificate or CSR signed with MD5, SHA-1 or DSA */
  SIGNATURE_WEAK: "SIGNATURE_WEAK",
  CHAIN_ORDER: "CHAIN_ORDER",
  CHAIN_INCOMPLETE: "CHAIN_INCOMPLETE",
  CHAIN_FOREIGN: "CHAIN_FOREIGN",
  CERT_EXPIRED: "CERT_EXPIRED",
  CERT_NOT_YET_VALID: "CERT_NOT_YET_VALID",
  CERT_EXPIRES_SOON: "CERT_EXPIRES_SOON",
  CERT_IS_CA: "CERT_IS_CA",
  CSR_INVALID: "CSR_INVALID",
  INPUT_MISSING: "INPUT_MISSING",
  INPUT_INVALID: "INPUT_INVALID",
  CONFIG_INVALID: "CONFIG_INVALID",
  // remote
  AUTH_FAILED: "AUTH_FAILED",
  TOKEN_EXPIRED: "TOKEN_EXPIRED",
  VENDOR_ERROR: "VENDOR_ERROR",
  VENDOR_REJECTED: "VENDOR_REJECTED",
  VENDOR_NOT_FOUND: "VENDOR_NOT_FOUND",
  VENDOR_QUOTA: "VENDOR_QUOTA",
  RATE_LIMITED: "RATE_LIMITED",
  HTTP_ERROR: "HTTP_ERROR",
  NETWORK_ERROR: "NETWORK_ERROR",
  TIMEOUT: "TIMEOUT",
  ISSUANCE_PENDING: "ISSUANCE_PENDING",
  ISSUANCE_FAILED: "ISSUANCE_FAILED",
  /** the issuer's order for this reference can never deliver a certificate (cancelled, expired): use a new reference */
  ORDER_UNUSABLE: "ORDER_UNUSABLE",
  VERIFY_FAILED: "VERIFY_FAILED",
  // storage
  STORE_ERROR: "STORE_ERROR",
  STORE_NOT_FOUND: "STORE_NOT_FOUND",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface CertrelayErrorOptions extends ErrorOptions {
  /** The input field, config path or flag the user should fix, e.g. `private-key` or `certificates[0].targets[1].endpoint`. */
  field?: string;
  /** The vendor involved, e.g. `yeastar`. */
  vendor?: string;
  /** An issuer asks not to be asked again before this (a CA's Retry-After, a failed-validation backoff); persisted. */
  backoffUntil?: Date;
}

export class CertrelayError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly vendor: string | undefined;
  readonly backoffUntil: Date | undefined;

  constructor(code: ErrorCode, message: string, options: CertrelayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = options.field;
    this.vendor = options.vendor;
    this.backoffUntil = options.backoffUntil;
  }

  /** The shape `--json`, structured logs and the Lambda result carry. */
  toJSON(): { name: string; code: ErrorCode; message: string; field?: string; vendor?: string } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(this.vendor === undefined ? {} : { vendor: this.vendor }),
    };
  }
}

/** Bad input from a user: PEM, config, flags. Raised before any remote call. */
export class InputError extends CertrelayError {}

/** Credentials refused or token unusable. */
export class AuthError extends CertrelayError {}

/** A vendor answered with an error we understood (its code mapped to ours). */
export class VendorError extends CertrelayError {
  readonly status: number | undefined;
  readonly vendorCode: string | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    options: CertrelayErrorOptions & { status?: number; vendorCode?: string | number } = {},
  ) {
    super(code, message, options);
    this.status = options.status;
    this.vendorCode = options.vendorCode === undefined ? undefined : String(options.vendorCode);
  }
}

/** A vendor limit: certificate slots, token budget, rate limit. */
export class QuotaError extends CertrelayError {}

/** A request or a bounded wait ran out of time. */
export class TimeoutError extends CertrelayError {}

/** Secrets Manager or the local file store failed. */
export class StoreError extends CertrelayError {}

export function isCertrelayError(e: unknown): e is CertrelayError {
  return e instanceof CertrelayError;
}

/** Turn anything thrown into a one-line message safe to print (no stack, no cause chain). */
export function describeError(e: unknown): string {
  if (e instanceof CertrelayError) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return e.message;
  return String(e);
}
