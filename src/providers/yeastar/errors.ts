/**
 * Yeastar `errcode`s -> certrelay errors. The PBX answers HTTP 200 with `errcode`/`errmsg` for every failure, so
 * the client raises these itself; each message names the operation, the parameter and the fix, never a value.
 */
import { CertrelayError, ErrorCodes } from "../../errors.js";
import { YeastarErrcode, type YeastarResponse } from "./types.js";

export const VENDOR = "yeastar";

function said(body: YeastarResponse): string {
  const parts = [`errcode ${body.errcode}`];
  if (body.param) parts.push(`parameter ${body.param}`);
  if (body.detail) parts.push(body.detail);
  return parts.join(": ");
}

/** Translate a non-zero answer of `operation` (e.g. "certificate/create"). */
export function yeastarError(body: YeastarResponse, operation: string): CertrelayError {
  const options = {
    vendor: VENDOR,
    vendorCode: body.errcode,
    status: 200,
    ...(body.param ? { field: body.param } : {}),
  };
  const what = `Yeastar PBX refused ${operation} (${said(body)})`;
  switch (body.errcode) {
    case YeastarErrcode.TOKEN_EXPIRED:
      return new CertrelayError(
        ErrorCodes.TOKEN_EXPIRED,
        `${what}: the access token expired and a fresh one was refused too; check that the PBX clock is right and that nothing revokes this application's tokens`,
        { vendor: VENDOR, field: "access_token" },
      );
    case YeastarErrcode.ACCESS_DENIED:
      if (body.param === "User-Agent") {
        return new CertrelayError(
          ErrorCodes.AUTH_FAILED,
          `${what}: every request needs a User-Agent header; set userAgent to a non-empty value`,
          { vendor: VENDOR, field: "userAgent" },
        );
      }
      return new CertrelayError(
        ErrorCodes.AUTH_FAILED,
        `${what}: access denied; check the Client ID (username) and Client Secret (password) under Integrations > API on the PBX, that the API is enabled and that this machine's IP is allowed`,
        { vendor: VENDOR, field: "username" },
      );
    case YeastarErrcode.IP_BLOCKED:
      return new CertrelayError(
        ErrorCodes.AUTH_FAILED,
        `${what}: account IP blocked after failed logins; unblock this IP on the PBX (Security > IP Auto Defense / blocked list) and fix the Client ID/Secret before retrying`,
        { vendor: VENDOR, field: "username" },
      );
    case YeastarErrcode.LIMIT_EXCEEDED:
      if (operation === "get_token") {
        return new CertrelayError(
          ErrorCodes.VENDOR_QUOTA,
          `${what}: the application already holds its maximum of valid access tokens (8); revoke unused tokens (del_token) or wait until they expire (30 minutes)`,
          { vendor: VENDOR },
        );
      }
      return new CertrelayError(
        ErrorCodes.VENDOR_QUOTA,
        `${what}: the PBX holds at most 3 server and 20 trusted CA certificates; delete one on the PBX or set pruneOld`,
        { vendor: VENDOR, field: body.param ?? "type" },
      );
    case YeastarErrcode.PARAMETER_ERROR:
    case YeastarErrcode.DUPLICATE:
    case YeastarErrcode.FILE_INVALID:
    case YeastarErrcode.FILE_TOO_LARGE:
      return new CertrelayError(
        ErrorCodes.VENDOR_REJECTED,
        `${what}: fix ${body.param ?? "the request parameters"} and run again`,
        options,
      );
    case YeastarErrcode.NOT_FOUND:
      return new CertrelayError(
        ErrorCodes.VENDOR_NOT_FOUND,
        `${what}: the PBX has no such record (an upload is purged from temporary storage after an hour); run again`,
        options,
      );
    default:
      return new CertrelayError(
        ErrorCodes.VENDOR_ERROR,
        `${what}: the PBX could not complete the operation; check its system log and run again`,
        options,
      );
  }
}
