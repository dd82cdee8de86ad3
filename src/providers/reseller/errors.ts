/** Resello answers -> certrelay errors naming the fix. */
import { CertrelayError, ErrorCodes } from "../../errors.js";
import { HttpStatusError } from "../../http/index.js";
import type { ResellerErrorBody } from "./types.js";

const VENDOR = "reseller";

/** Field names on the wire -> the settings a user can change. */
const FIELD_HINTS: Record<string, string> = {
  csr: "the CSR must be PEM with an RSA key of at least 2048 bits",
  plan: "set issuer `plan` to a plan UUID from GET /ssl-certificate-plan",
  dcv_type: "set issuer `dcvType` to EMAIL, FILE or DNS",
  approver_email_address: "set issuer `approverEmail` (required for EMAIL validation)",
};

export function mapResellerError(error: unknown, action: string): unknown {
  if (!(error instanceof HttpStatusError)) return error;
  const body = (error.body ?? {}) as ResellerErrorBody;
  const vendorCode = body.error?.code;
  const vendorMessage = body.error?.message ?? "";
  const field = body.error?.field;
  const opts = { vendor: VENDOR, status: error.status, cause: error, ...(vendorCode ? { vendorCode } : {}) };
  switch (error.status) {
    case 401:
    case 403:
      // no input or secret key named here: each entry appends the names its user types (operations/explain.ts)
      return new CertrelayError(
        ErrorCodes.AUTH_FAILED,
        `reseller refused the credentials while trying to ${action}: check the user name and API key`,
        { vendor: VENDOR, cause: error },
      );
    case 404:
      return new CertrelayError(
        ErrorCodes.VENDOR_NOT_FOUND,
        `reseller has no such certificate while trying to ${action}: check issuer certificateId / the order id`,
        opts,
      );
    case 402:
      return new CertrelayError(
        ErrorCodes.VENDOR_QUOTA,
        `reseller refused to ${action}: insufficient funds on the reseller account; top up the balance`,
        { vendor: VENDOR, cause: error },
      );
    case 400:
    case 422: {
      const hint = field ? (FIELD_HINTS[field] ?? `fix ${field}`) : "check the request";
      return new CertrelayError(
        ErrorCodes.VENDOR_REJECTED,
        `reseller rejected ${action}${field ? ` (field ${field})` : ""}: ${vendorMessage || "invalid request"}; ${hint}`,
        { ...opts, ...(field ? { field } : {}) },
      );
    }
    default:
      return error;
  }
}
