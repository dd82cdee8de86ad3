/**
 * One error class, told apart by code: the kind (input, auth, vendor, quota, timeout, store) follows from the code
 * through one table, `name` (what logs and --json print) from the kind, and the few subclasses that carry typed data
 * of their own keep their names.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config/index.js";
import {
  CertrelayError,
  ErrorCodes,
  errorKind,
  isAuthError,
  isInputError,
  isQuotaError,
  isStoreError,
  isTimeoutError,
  isVendorError,
  type ErrorCode,
} from "../src/errors.js";
import { HttpStatusError } from "../src/http/index.js";

describe("one error class with codes", () => {
  it("every code has a kind, and the name printed is the kind's", () => {
    const names = {
      input: "InputError",
      auth: "AuthError",
      vendor: "VendorError",
      quota: "QuotaError",
      timeout: "TimeoutError",
      store: "StoreError",
    };
    for (const code of Object.values(ErrorCodes) as ErrorCode[]) {
      const error = new CertrelayError(code, "m");
      expect(error.kind, code).toBe(errorKind(code));
      expect(error.name, code).toBe(names[error.kind]);
      expect(error.toJSON(), code).toMatchObject({ name: names[error.kind], code });
    }
  });

  it("the names users and tests already see stay as they were", () => {
    expect(new CertrelayError(ErrorCodes.PEM_MALFORMED, "m").name).toBe("InputError");
    expect(new CertrelayError(ErrorCodes.AUTH_FAILED, "m").name).toBe("AuthError");
    expect(new CertrelayError(ErrorCodes.VENDOR_REJECTED, "m").name).toBe("VendorError");
    expect(new CertrelayError(ErrorCodes.VENDOR_QUOTA, "m").name).toBe("QuotaError");
    expect(new CertrelayError(ErrorCodes.TIMEOUT, "m").name).toBe("TimeoutError");
    expect(new CertrelayError(ErrorCodes.STORE_NOT_FOUND, "m").name).toBe("StoreError");
  });

  it("the helpers tell kinds apart by code, and nothing else passes them", () => {
    const checks = [
      [isInputError, ErrorCodes.CSR_INVALID],
      [isAuthError, ErrorCodes.TOKEN_EXPIRED],
      [isVendorError, ErrorCodes.NETWORK_ERROR],
      [isQuotaError, ErrorCodes.VENDOR_QUOTA],
      [isTimeoutError, ErrorCodes.TIMEOUT],
      [isStoreError, ErrorCodes.STORE_ERROR],
    ] as const;
    for (const [check, code] of checks) {
      expect(check(new CertrelayError(code, "m")), code).toBe(true);
      expect(
        checks.filter(([other]) => other !== check && other(new CertrelayError(code, "m"))),
        code,
      ).toEqual([]);
      expect(check(new Error("m"))).toBe(false);
      expect(check({ code, kind: errorKind(code) })).toBe(false);
    }
  });

  it("status and vendorCode are options of the one class", () => {
    const error = new CertrelayError(ErrorCodes.VENDOR_REJECTED, "m", {
      vendor: "enos",
      status: 400,
      vendorCode: 11833,
      field: "csr",
    });
    expect(error).toMatchObject({ status: 400, vendorCode: "11833", vendor: "enos", field: "csr", kind: "vendor" });
    expect(new CertrelayError(ErrorCodes.INPUT_INVALID, "m")).toMatchObject({
      status: undefined,
      vendorCode: undefined,
    });
  });

  it("subclasses with typed data of their own keep their names and their kind", () => {
    const http = new HttpStatusError({
      status: 503,
      method: "GET",
      url: "https://x.example/",
      body: undefined,
      headers: {},
      attempts: 4,
      vendor: "cdn",
    });
    expect(http.name).toBe("HttpStatusError");
    expect(isVendorError(http)).toBe(true);
    expect(http.status).toBe(503);
    const config = new ConfigError("certrelay.yml", [{ path: "certificates", message: "expected a list" }]);
    expect(config.name).toBe("ConfigError");
    expect(isInputError(config)).toBe(true);
  });
});
