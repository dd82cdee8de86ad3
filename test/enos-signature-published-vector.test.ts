/**
 * The example from EnOS's "Invoke API with the Access Token" page (EnOS API docs, token/invoke_api_with_access_token):
 * URL `…/m/v1/b?k3=v3&k1=v1&k2=v2`, accessToken `xxxxaaaxxxx`, appSecret `xxxappSecretxxx`, timestamp
 * 1572574909697, a JSON body, and the published apim-signature. The published value reproduces only with the body
 * as the page's Java sample writes it (two-space indent, `"desc": "描述"` as on the Chinese page): the body is part
 * of what is signed, byte for byte. Both certrelay's signer and the sandbox's checker must give that value.
 */
import { describe, expect, it } from "vitest";
import { apimHeaders, apimSignature } from "../src/providers/enos/signature.js";
import { apimSignature as sandboxSignature } from "../src/sandbox/enos/auth.js";

const PUBLISHED = "59828328f6c1f9771015dc74e4929ae30f518a35a3d2353972c2ea46556fc981";
const URL_EXAMPLE = new URL("https://apigw.example/m/v1/b?k3=v3&k1=v1&k2=v2");
const BODY = '{\n  "count": 20,\n  "page": 1,\n  "desc": "描述"\n}';
const ACCESS_TOKEN = "xxxxaaaxxxx";
const APP_SECRET = "xxxappSecretxxx";
const TIMESTAMP = 1572574909697;

describe("EnOS apim-signature: the published example vector", () => {
  it("certrelay's signer reproduces the published signature", () => {
    expect(apimSignature(ACCESS_TOKEN, URL_EXAMPLE, BODY, TIMESTAMP, APP_SECRET)).toBe(PUBLISHED);
    expect(apimHeaders(ACCESS_TOKEN, URL_EXAMPLE, BODY, TIMESTAMP, APP_SECRET)).toEqual({
      "apim-accesstoken": ACCESS_TOKEN,
      "apim-timestamp": String(TIMESTAMP),
      "apim-signature": PUBLISHED,
    });
  });

  it("the sandbox's gateway computes the same value", () => {
    expect(sandboxSignature(ACCESS_TOKEN, URL_EXAMPLE.searchParams, BODY, String(TIMESTAMP), APP_SECRET)).toBe(
      PUBLISHED,
    );
  });

  it("the body is signed: leaving it out, or reformatting it, gives another signature", () => {
    expect(apimSignature(ACCESS_TOKEN, URL_EXAMPLE, undefined, TIMESTAMP, APP_SECRET)).not.toBe(PUBLISHED);
    expect(apimSignature(ACCESS_TOKEN, URL_EXAMPLE, JSON.stringify(JSON.parse(BODY)), TIMESTAMP, APP_SECRET)).not.toBe(
      PUBLISHED,
    );
  });
});
