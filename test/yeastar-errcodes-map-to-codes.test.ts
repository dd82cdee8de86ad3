import { describe, expect, it } from "vitest";
import { yeastarError } from "../src/providers/yeastar/errors.js";
import { isAuthError, isQuotaError, isVendorError } from "../src/errors.js";

describe("Yeastar errcodes map to certrelay codes with a fix in the message", () => {
  const cases = [
    {
      errcode: 10004,
      op: "certificate/list",
      type: isAuthError,
      code: "TOKEN_EXPIRED",
      message: /access token expired/,
    },
    {
      errcode: 10005,
      op: "get_token",
      type: isAuthError,
      code: "AUTH_FAILED",
      message: /Client ID \(username\) and Client Secret/,
    },
    { errcode: 70004, op: "get_token", type: isAuthError, code: "AUTH_FAILED", message: /account IP blocked/ },
    {
      errcode: 60002,
      op: "certificate/create",
      type: isQuotaError,
      code: "VENDOR_QUOTA",
      message: /at most 3 server and 20 trusted CA certificates; delete one on the PBX or set pruneOld/,
    },
    { errcode: 60002, op: "get_token", type: isQuotaError, code: "VENDOR_QUOTA", message: /valid access tokens \(8\)/ },
    {
      errcode: 60001,
      op: "certificate/create",
      type: isVendorError,
      code: "VENDOR_NOT_FOUND",
      message: /no such record/,
    },
    {
      errcode: 10009,
      op: "certificate/delete",
      type: isVendorError,
      code: "VENDOR_ERROR",
      message: /could not complete/,
    },
    { errcode: -1, op: "certificate/create", type: isVendorError, code: "VENDOR_ERROR", message: /errcode -1/ },
  ] as const;
  for (const c of cases) {
    it(`${c.errcode} on ${c.op} -> ${c.code}`, () => {
      const e = yeastarError({ errcode: c.errcode, errmsg: "FAILURE" }, c.op);
      expect(e).toSatisfy(c.type);
      expect(e).toMatchObject({ code: c.code, vendor: "yeastar" });
      expect(e.message).toMatch(c.message);
    });
  }

  for (const errcode of [40001, 40002, 40003, 40004]) {
    it(`${errcode} -> VENDOR_REJECTED naming the parameter`, () => {
      const e = yeastarError(
        { errcode, errmsg: "FAILURE", param: "auth_info_list.AccessKeySecret", detail: "missing AccessKeySecret" },
        "certificate/create",
      );
      expect(e).toSatisfy(isVendorError);
      expect(e).toMatchObject({
        code: "VENDOR_REJECTED",
        field: "auth_info_list.AccessKeySecret",
        vendorCode: String(errcode),
      });
      expect(e.message).toBe(
        `Yeastar PBX refused certificate/create (errcode ${errcode}: parameter auth_info_list.AccessKeySecret: missing AccessKeySecret): fix auth_info_list.AccessKeySecret and run again`,
      );
    });
  }
});
