/**
 * One error class for certrelay, told apart by code. Every error a user can see carries a stable `code` (for
 * `--json`, logs and tests), the `field` or `vendor` involved when there is one, and a message that says how to fix
 * it. The kind of failure (input, auth, vendor, quota, timeout, store) follows from the code through one table, so
 * code branches on `code` or on the `isXError` helpers, never on a class. Messages must never contain secret
 * material: callers pass field names, never values.
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

/**
 * What went wrong, broadly: bad input from the user (raised before any remote call), refused credentials, a vendor's
 * error, a vendor's limit, time run out, or the store failing.
 */
export type ErrorKind = "input" | "auth" | "vendor" | "quota" | "timeout" | "store";

/** Each code's kind: the one place that decides it. */
const KIND_OF: Record<ErrorCode, ErrorKind> = {
  PEM_EMPTY: "input",
  PEM_MALFORMED: "input",
  PEM_WRONG_TYPE: "input",
  KEY_ENCRYPTED: "input",
  KEY_UNSUPPORTED: "input",
  // also an issuer's order certifying another key than the request's: the key the user holds is the wrong one
  KEY_MISMATCH: "input",
  KEY_TOO_SMALL: "input",
  SIGNATURE_WEAK: "input",
  CHAIN_ORDER: "input",
  CHAIN_INCOMPLETE: "input",
  CHAIN_FOREIGN: "input",
  CERT_EXPIRED: "input",
  CERT_NOT_YET_VALID: "input",
  CERT_EXPIRES_SOON: "input",
  CERT_IS_CA: "input",
  CSR_INVALID: "input",
  INPUT_MISSING: "input",
  INPUT_INVALID: "input",
  CONFIG_INVALID: "input",
  AUTH_FAILED: "auth",
  TOKEN_EXPIRED: "auth",
  VENDOR_ERROR: "vendor",
  VENDOR_REJECTED: "vendor",
  VENDOR_NOT_FOUND: "vendor",
  VENDOR_QUOTA: "quota",
  // a 429 is the vendor asking to wait, reported with its Retry-After; not a limit on what the account holds
  RATE_LIMITED: "vendor",
  HTTP_ERROR: "vendor",
  NETWORK_ERROR: "vendor",
  TIMEOUT: "timeout",
  ISSUANCE_PENDING: "vendor",
  ISSUANCE_FAILED: "vendor",
  ORDER_UNUSABLE: "vendor",
  VERIFY_FAILED: "vendor",
  STORE_ERROR: "store",
  STORE_NOT_FOUND: "store",
};

/** The `name` logs and `--json` print for each kind (the class names of certrelay before #13, kept stable). */
const NAME_OF: Record<ErrorKind, string> = {
  input: "InputError",
  auth: "AuthError",
  vendor: "VendorError",
  quota: "QuotaError",
  timeout: "TimeoutError",
  store: "StoreError",
};

export function errorKind(code: ErrorCode): ErrorKind {
  return KIND_OF[code];
}

export interface CertrelayErrorOptions extends ErrorOptions {
  /** The name the user types to fix it: an Action input (`private-key`) or a config path (`certificates[0].targets[1].endpoint`). */
  field?: string;
  /** The vendor involved, e.g. `yeastar`. */
  vendor?: string;
  /** An issuer asks not to be asked again before this (a CA's Retry-After, a failed-validation backoff); persisted. */
  backoffUntil?: Date;
  /** The HTTP status a vendor answered with, when one did. */
  status?: number;
  /** The vendor's own error code (Yeastar errcode, EnOS code, the CDN's `code`), when it sent one. */
  vendorCode?: string | number;
  /** A usage error: a command-line flag or argument the user must change (the CLI exits 2 for it, 1 otherwise). */
  usage?: boolean;
}

export class CertrelayError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly field: string | undefined;
  readonly vendor: string | undefined;
  readonly backoffUntil: Date | undefined;
  readonly status: number | undefined;
  readonly vendorCode: string | undefined;
  /** a command-line usage error (see CertrelayErrorOptions.usage) */
  readonly usage: boolean;

  constructor(code: ErrorCode, message: string, options: CertrelayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.kind = errorKind(code);
    // The kind's name; the few subclasses that carry typed data of their own (ConfigError's problems,
    // HttpStatusError's request) set theirs, as a string: the bundles are minified without `keepNames`, so a
    // class's own name is not what the user would read.
    this.name = NAME_OF[this.kind];
    this.field = options.field;
    this.vendor = options.vendor;
    this.backoffUntil = options.backoffUntil;
    this.status = options.status;
    this.vendorCode = options.vendorCode === undefined ? undefined : String(options.vendorCode);
    this.usage = options.usage === true;
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

export function isCertrelayError(e: unknown): e is CertrelayError {
  return e instanceof CertrelayError;
}

const ofKind =
  (kind: ErrorKind) =>
  (e: unknown): e is CertrelayError =>
    e instanceof CertrelayError && e.kind === kind;

/** Bad input from a user: PEM, config, flags. Raised before any remote call. */
export const isInputError = ofKind("input");
/** Credentials refused or token unusable. */
export const isAuthError = ofKind("auth");
/** A vendor answered with an error certrelay understood (its code mapped to ours), or could not be reached. */
export const isVendorError = ofKind("vendor");
/** A vendor limit: certificate slots, token budget. */
export const isQuotaError = ofKind("quota");
/** A request or a bounded wait ran out of time. */
export const isTimeoutError = ofKind("timeout");
/** Secrets Manager or the local file store failed. */
export const isStoreError = ofKind("store");

/** Turn anything thrown into a one-line message safe to print (no stack, no cause chain). */
export function describeError(e: unknown): string {
  if (e instanceof CertrelayError) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return e.message;
  return String(e);
}
