/**
 * SwiftFederation answers -> certrelay errors. The CDN's 400s are about the material the user supplied, so they
 * carry input codes (KEY_MISMATCH, PEM_MALFORMED, ...) and say what to fix; 401/403 are credentials or clock.
 */
import { CertrelayError, type ErrorCode, ErrorCodes, isTimeoutError, isVendorError } from "../../errors.js";

const VENDOR = "cdn";

interface Mapped {
  code: ErrorCode;
  field?: string;
  fix: string;
}

/** The spec's four 400s (cdn-upload-certificate.txt) plus the inferred ones of the sibling endpoints. */
function mapVendorCode(code: string, message: string): Mapped | undefined {
  switch (code) {
    case "Certificate.Invalid":
      // The spec uses one code for two problems; only the message tells a key mismatch apart.
      if (/privateKey/i.test(message)) {
        return {
          code: ErrorCodes.KEY_MISMATCH,
          field: "private-key",
          fix: "the private key does not belong to the certificate; supply the key the certificate was issued for",
        };
      }
      return {
        code: ErrorCodes.PEM_MALFORMED,
        field: "certificate",
        fix: "supply the leaf certificate as one PEM block (-----BEGIN CERTIFICATE-----)",
      };
    case "PrivateKey.Invalid":
      return {
        code: ErrorCodes.KEY_UNSUPPORTED,
        field: "private-key",
        fix: "supply an unencrypted RSA private key (the CDN takes PKCS#1 RSA keys only)",
      };
    case "Upload.Certificate.Invalid":
      return {
        code: ErrorCodes.VENDOR_REJECTED,
        field: "chain",
        fix: "check that the chain holds this certificate's issuing intermediate(s), leaf-side first, and that the certificate is valid",
      };
    case "Certificate.NotFound":
      return {
        code: ErrorCodes.VENDOR_NOT_FOUND,
        fix: "the certificate record no longer exists on the CDN; deploy again",
      };
    case "Certificate.DomainMismatch":
      return {
        code: ErrorCodes.VENDOR_REJECTED,
        field: "verifyHost",
        fix: "attach the certificate only to a domain its common name or SANs cover",
      };
    case "DomainName.Invalid":
      return {
        code: ErrorCodes.INPUT_INVALID,
        field: "verifyHost",
        fix: "set verify-host to the CDN domain the certificate should serve",
      };
    default:
      return undefined;
  }
}

function errorBody(body: unknown): { code: string; message: string } | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { code, message } = body as Record<string, unknown>;
  if (typeof code !== "string") return undefined;
  return { code, message: typeof message === "string" ? message : "" };
}

/**
 * Translate an error thrown by the HTTP client for `operation` (e.g. "upload certificate"). Errors that are not
 * vendor answers (network, timeout, our own input errors) pass through unchanged.
 */
export function mapCdnError(error: unknown, operation: string): unknown {
  if (!isVendorError(error) || error.status === undefined) return error;
  const status = error.status;
  const body = errorBody((error as CertrelayError & { body?: unknown }).body);
  const said = body ? ` (${body.code}: ${body.message})` : "";
  if (status === 403 && body?.code === "Customer.DELETED") {
    // an account problem, not a signature problem (documented for "List Customer Certificates")
    return new CertrelayError(
      ErrorCodes.VENDOR_REJECTED,
      `SwiftFederation refused ${operation}${said}: the customer account these access keys belong to is deleted; ask SwiftFederation to restore it, or use access keys of an active account`,
      { vendor: VENDOR, field: "accessKeyId", status, vendorCode: body.code, cause: error },
    );
  }
  if (status === 401 || status === 403) {
    // no input or secret key named here: each entry appends the names its user types (operations/explain.ts)
    return new CertrelayError(
      ErrorCodes.AUTH_FAILED,
      `SwiftFederation refused the signature on ${operation}${said}: check the access key id and secret, and the machine clock (X-SFD-Date must be within an hour of the CDN's time)`,
      { vendor: VENDOR, field: "accessKeyId", cause: error },
    );
  }
  const mapped = body ? mapVendorCode(body.code, body.message) : undefined;
  if (mapped) {
    return new CertrelayError(mapped.code, `SwiftFederation refused ${operation}${said}: ${mapped.fix}`, {
      vendor: VENDOR,
      field: mapped.field,
      status,
      vendorCode: body?.code,
      cause: error,
    });
  }
  return error;
}

/** Rethrow helper for `catch` blocks. */
export function throwCdnError(error: unknown, operation: string): never {
  throw mapCdnError(error, operation);
}

/** An upload is never retried (a repeat would create a second record); say so when it fails on the server side. */
export function uploadFailed(error: unknown): unknown {
  const mapped = mapCdnError(error, "the certificate upload");
  if (mapped instanceof CertrelayError && mapped === error && isVendorError(error) && (error.status ?? 0) >= 500) {
    return new CertrelayError(
      ErrorCodes.VENDOR_ERROR,
      `SwiftFederation answered ${error.status} to the certificate upload; it was not retried because a repeated upload creates a duplicate record. Run the deploy again: it checks the CDN's list by serial first, so nothing is uploaded twice`,
      { vendor: VENDOR, status: error.status, cause: error },
    );
  }
  const lost = isTimeoutError(error) || (isVendorError(error) && error.code === ErrorCodes.NETWORK_ERROR);
  if (lost && error instanceof CertrelayError) {
    // The CDN may have stored the certificate before the answer was lost; a retry here could store it twice.
    return new CertrelayError(
      error.code,
      `the certificate upload to SwiftFederation got no answer (${error.message}); it was not retried because the CDN may already hold it. Run the deploy again: it finds an upload that did land by serial and does not repeat it`,
      { vendor: VENDOR, cause: error },
    );
  }
  return mapped;
}
