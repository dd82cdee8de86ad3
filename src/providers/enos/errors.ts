/**
 * EnOS answers -> certrelay errors. Every code and 99400 variant in enos-apply-certificate.txt maps to a stable
 * certrelay code, the field to fix, and the spec's "Solution" in words a user can act on.
 */
import { CertrelayError, type ErrorCode, ErrorCodes } from "../../errors.js";

const VENDOR = "enos";

interface Mapped {
  kind: "input" | "vendor";
  code: ErrorCode;
  field?: string;
  fix: string;
}

/** The 99400 variants, told apart by the start of `msg` (the spec gives one code for all of them). */
function map99400(msg: string): Mapped {
  if (msg.startsWith("The specified validity period exceeds")) {
    return {
      kind: "input",
      code: ErrorCodes.INPUT_INVALID,
      field: "validDays",
      fix: "lower validDays to at most the maximum certificate validity of the device's product (see the product in the EnOS console)",
    };
  }
  if (/device identifier is invalid/i.test(msg)) {
    return {
      kind: "input",
      code: ErrorCodes.CONFIG_INVALID,
      field: "assetId",
      fix: "identify the device with assetId, or with productKey and deviceKey together",
    };
  }
  if (/csr is missing/i.test(msg)) {
    return {
      kind: "input",
      code: ErrorCodes.CSR_INVALID,
      field: "csr",
      fix: "include a PEM certificate signing request",
    };
  }
  if (/not a product that supports bi-directional/i.test(msg)) {
    return {
      kind: "vendor",
      code: ErrorCodes.VENDOR_REJECTED,
      field: "productKey",
      fix: "turn on bi-directional (certificate) authentication for the device's product in the EnOS console, then issue again",
    };
  }
  if (msg.startsWith("Call ca error!")) {
    return {
      kind: "vendor",
      code: ErrorCodes.ISSUANCE_FAILED,
      fix: "the EnOS certificate authority failed; read its message and detail above, and retry later or ask your EnOS administrator",
    };
  }
  if (msg.startsWith("Invalid cert request!")) {
    return {
      kind: "input",
      code: ErrorCodes.CSR_INVALID,
      field: "csr",
      fix: "send an RSA-2048 CSR signed SHA256withRSA (issueAuthority RSA) or a P-256 CSR signed SHA256withECDSA (issueAuthority ECC)",
    };
  }
  if (msg.startsWith("Duplicate subject by certificate request!")) {
    return {
      kind: "vendor",
      code: ErrorCodes.VENDOR_REJECTED,
      field: "commonName",
      fix: "another device holds a valid certificate with this subject; use a common name unique to this device, or revoke the other certificate",
    };
  }
  if (msg.startsWith("Revoke cert is failed!")) {
    return {
      kind: "vendor",
      code: ErrorCodes.VENDOR_REJECTED,
      fix: "only a valid certificate bound to this device can be revoked; list the device's certificates to pick the right one",
    };
  }
  if (msg.startsWith("Renew cert is failed!")) {
    return {
      kind: "vendor",
      code: ErrorCodes.VENDOR_REJECTED,
      fix: "only a valid certificate bound to this device can be renewed; apply for a new certificate instead",
    };
  }
  if (msg.startsWith("Query cert is failed!")) {
    return {
      kind: "vendor",
      code: ErrorCodes.VENDOR_ERROR,
      fix: "EnOS could not read the device's certificates; retry later or ask your EnOS administrator",
    };
  }
  if (msg.startsWith("When calling Certificate Services, the call parameters are invalid")) {
    return {
      kind: "input",
      code: ErrorCodes.INPUT_INVALID,
      fix: "check orgId, validDays (a positive whole number) and issueAuthority (RSA or ECC)",
    };
  }
  return { kind: "vendor", code: ErrorCodes.VENDOR_ERROR, fix: "EnOS refused the request; read its message above" };
}

function mapCode(code: number, msg: string): Mapped {
  switch (code) {
    case 99400:
      return map99400(msg);
    case 11404:
      return {
        kind: "vendor",
        code: ErrorCodes.VENDOR_NOT_FOUND,
        field: "assetId",
        fix: "make sure the device exists and is registered in this EnOS organisation (check orgId, assetId or productKey+deviceKey)",
      };
    case 11833:
      return {
        kind: "vendor",
        code: ErrorCodes.VENDOR_REJECTED,
        field: "csr",
        fix: "this key already belongs to another device's certificate; replace the CSR with one made from a new key",
      };
    case 99500:
      return {
        kind: "vendor",
        code: ErrorCodes.VENDOR_ERROR,
        fix: "an EnOS internal service failed; nothing was issued. Retry later, and refer to your EnOS administrator if it persists",
      };
    default:
      return {
        kind: "vendor",
        code: ErrorCodes.VENDOR_ERROR,
        fix: "EnOS answered with an unknown error code; read its message above",
      };
  }
}

/** A non-zero Connect Service `code` for `operation` (e.g. "certificate apply") -> a certrelay error. */
export function enosCodeError(code: number, msg: string | undefined, operation: string): CertrelayError {
  const said = msg ? `${code}: ${msg}` : String(code);
  const mapped = mapCode(code, msg ?? "");
  const message = `EnOS refused the ${operation} (${said}): ${mapped.fix}`;
  const options = { vendor: VENDOR, ...(mapped.field ? { field: mapped.field } : {}) };
  if (mapped.kind === "input") return new CertrelayError(mapped.code, message, options);
  return new CertrelayError(mapped.code, message, { ...options, vendorCode: code });
}

/** APIM status codes (EnOS "Invoking API with Access Token"). */
export const ApimStatus = {
  DUPLICATE_ENCRYPTION: 1001,
  APP_KEY_UNKNOWN: 1002,
  ENCRYPTION_INVALID: 1003,
  INVALID_PARAMETER: 1004,
  INTERNAL: 1005,
  PARAMETER_EMPTY: 1202,
  TOKEN_EXPIRED: 1203,
} as const;

/** A refusal by the token service or the gateway. */
export function apimError(status: number, msg: string | undefined, operation: string): CertrelayError {
  const said = msg ? `${status}: ${msg}` : String(status);
  const options = { vendor: VENDOR, vendorCode: status };
  switch (status) {
    case ApimStatus.APP_KEY_UNKNOWN:
      return new CertrelayError(
        ErrorCodes.AUTH_FAILED,
        `EnOS does not know this application (${said}) on ${operation}: check appKey (the application's access key)`,
        { vendor: VENDOR, field: "appKey" },
      );
    case ApimStatus.ENCRYPTION_INVALID:
      return new CertrelayError(
        ErrorCodes.AUTH_FAILED,
        `EnOS refused the signature (${said}) on ${operation}: check appSecret (the application's secret key)`,
        { vendor: VENDOR, field: "appSecret" },
      );
    case ApimStatus.INVALID_PARAMETER:
      return new CertrelayError(
        ErrorCodes.AUTH_FAILED,
        `EnOS refused the request timestamp (${said}) on ${operation}: check that this machine's clock is right`,
        { vendor: VENDOR },
      );
    case ApimStatus.TOKEN_EXPIRED:
      return new CertrelayError(
        ErrorCodes.TOKEN_EXPIRED,
        `EnOS says the access token expired (${said}) on ${operation}, even after taking a new one: check appKey/appSecret and the machine clock`,
        { vendor: VENDOR, field: "appKey" },
      );
    case ApimStatus.INTERNAL:
      return new CertrelayError(
        ErrorCodes.VENDOR_ERROR,
        `the EnOS token service failed (${said}) on ${operation}: retry later`,
        options,
      );
    default:
      return new CertrelayError(
        ErrorCodes.AUTH_FAILED,
        `the EnOS gateway refused ${operation} (${said}): check appKey and appSecret`,
        { vendor: VENDOR, field: "appKey" },
      );
  }
}
