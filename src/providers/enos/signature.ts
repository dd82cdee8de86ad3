/**
 * EnOS APIM signing (EnOS "Get Access Token" and "Invoking API with Access Token"; VENDOR-NOTES): the token
 * request's `encryption` and every API request's `apim-signature`.
 */
import { createHash } from "node:crypto";

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** `sha256(appKey + timestamp + appSecret)`, lowercase hex. */
export function tokenEncryption(appKey: string, timestamp: number, appSecret: string): string {
  return sha256Hex(`${appKey}${timestamp}${appSecret}`);
}

/**
 * `sha256(accessToken + paramsData + timestamp + appSecret)`: paramsData is the URL's query parameters sorted by
 * name in ASCII order, each written name+value, then the JSON body when the request has one.
 */
export function apimSignature(
  accessToken: string,
  url: URL,
  body: string | undefined,
  timestamp: number,
  appSecret: string,
): string {
  const names = [...new Set(url.searchParams.keys())].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const params = names.map((name) => `${name}${url.searchParams.get(name) ?? ""}`).join("");
  return sha256Hex(`${accessToken}${params}${body ?? ""}${timestamp}${appSecret}`);
}

/** The three headers of a signed request. */
export function apimHeaders(
  accessToken: string,
  url: URL,
  body: string | undefined,
  timestamp: number,
  appSecret: string,
): Record<string, string> {
  return {
    "apim-accesstoken": accessToken,
    "apim-timestamp": String(timestamp),
    "apim-signature": apimSignature(accessToken, url, body, timestamp, appSecret),
  };
}
