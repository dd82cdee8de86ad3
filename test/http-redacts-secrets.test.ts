import { afterAll, beforeAll, expect, test } from "vitest";
import { HttpClient, HttpStatusError, redact } from "../src/http/index.js";
import { recordingSleep, startTestServer, type TestServer } from "./support/http-server.js";

let server: TestServer;
beforeAll(async () => void (server = await startTestServer()));
afterAll(async () => server.close());

const TOKEN = "tok-3f9a1c7e55d2b8a4";
const BEARER = "bearer-9c1d2e3f4a5b6c7d";
const APP_SECRET = "appsecret-77aa88bb99cc";

test("tokens in the query, the Authorization header and the body never reach the error, its JSON or retry reasons", async () => {
  // The vendor echoes what it got, as some do in their error bodies.
  server.handle(() => (req, res) => {
    res.writeHead(503, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        message: `bad call ${req.url} auth=${String(req.headers.authorization)} secret ${APP_SECRET}`,
        access_token: TOKEN,
      }),
    );
  });
  const seen: string[] = [];
  const http = new HttpClient({
    baseUrl: server.url,
    vendor: "test",
    sleep: recordingSleep().sleep,
    retry: { retries: 1 },
    onRetry: (r) => seen.push(JSON.stringify(r)),
  });
  http.addSecret(APP_SECRET);
  try {
    const error = await http
      .request({
        method: "GET",
        path: "/data",
        query: { access_token: TOKEN, page: 2 },
        headers: { Authorization: `Bearer ${BEARER}` },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    const e = error as HttpStatusError;
    const everything = [e.message, JSON.stringify(e), JSON.stringify(e.body), e.url, ...seen].join("\n");
    for (const secret of [TOKEN, BEARER, APP_SECRET]) expect(everything).not.toContain(secret);
    expect(e.message).toContain("access_token=[REDACTED]");
    expect(e.message).toContain("page=2");
    // the request itself still carried them
    expect(server.requests[0]?.url).toContain(TOKEN);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${BEARER}`);
  } finally {
    await http.close();
  }
});

test("redact() removes private key blocks, basic auth, vendor signature headers and credential parameters", () => {
  const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecretbits\n-----END RSA PRIVATE KEY-----";
  const text = [
    `key: ${pem}`,
    "url: https://admin:hunter2pass@pbx.example/api?token=abc123&signature=deadbeef&password=pw1234&keep=yes",
    "apim-accesstoken: eyJhbGciOi.payload.sig",
    "apim-signature: 0a1b2c3d4e",
    "X-SFD-Nonce: 123456789",
    '{"Authorization":"HMAC-SHA256 AK:feedface","accessKeySecret":"s3cr3t-value"}',
    "Cookie: session=xyz789",
  ].join("\n");
  const out = redact(text, []);
  for (const leaked of [
    "secretbits",
    "hunter2pass",
    "abc123",
    "deadbeef",
    "pw1234",
    "eyJhbGciOi",
    "0a1b2c3d4e",
    "123456789",
    "feedface",
    "s3cr3t-value",
    "xyz789",
  ]) {
    expect(out).not.toContain(leaked);
  }
  expect(out).toContain("[REDACTED PRIVATE KEY]");
  expect(out).toContain("keep=yes");
  expect(out).toContain("pbx.example/api");
});

test("a registered secret is removed in its URL-encoded form too", () => {
  const secret = "a b/c+d=e&f";
  expect(redact(`q=${encodeURIComponent(secret)} raw=${secret}`, [secret])).toBe("q=[REDACTED] raw=[REDACTED]");
});
