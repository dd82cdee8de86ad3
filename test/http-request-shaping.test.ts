import { afterAll, beforeAll, expect, test } from "vitest";
import { HttpClient } from "../src/http/index.js";
import { answer, recordingSleep, startTestServer, type TestServer } from "./support/http-server.js";

let server: TestServer;
beforeAll(async () => void (server = await startTestServer()));
afterAll(async () => server.close());

test("baseUrl's path prefix, query values and JSON body all reach the server", async () => {
  server.handle(() => answer(200, { id: 7 }));
  const http = new HttpClient({
    baseUrl: `${server.url}/api/v2/`,
    vendor: "test",
    userAgent: "certrelay-test/1",
    defaultHeaders: { "X-Tenant": "t1" },
  });
  try {
    const res = await http.request({
      method: "PUT",
      path: "/certs/7",
      query: { force: true, page: 1, skip: undefined },
      json: { name: "a" },
    });
    expect(res.body).toEqual({ id: 7 });
    const got = server.requests[0];
    expect(got?.url).toBe("/api/v2/certs/7?force=true&page=1");
    expect(got?.headers["content-type"]).toBe("application/json");
    expect(got?.headers["user-agent"]).toBe("certrelay-test/1");
    expect(got?.headers["x-tenant"]).toBe("t1");
    expect(JSON.parse(got?.body.toString() ?? "")).toEqual({ name: "a" });
  } finally {
    await http.close();
  }
});

test("the signing hook runs on every attempt, so each retry carries a fresh signature", async () => {
  server.handle((i) => (i === 0 ? answer(500) : answer(200, "ok")));
  let n = 0;
  const http = new HttpClient({
    baseUrl: server.url,
    vendor: "test",
    sleep: recordingSleep().sleep,
    sign: ({ method, url, body }) => ({ "X-Signature": `${method} ${url.pathname} ${body ?? ""} #${++n}` }),
  });
  try {
    const res = await http.request({ method: "GET", path: "/signed", responseType: "text" });
    expect(res).toMatchObject({ body: "ok", attempts: 2 });
    expect(server.requests.map((r) => r.headers["x-signature"])).toEqual(["GET /signed  #1", "GET /signed  #2"]);
  } finally {
    await http.close();
  }
});

test("responseType bytes returns the raw body", async () => {
  server.handle(() => (_req, res) => res.end(Buffer.from([0, 1, 2, 255])));
  const http = new HttpClient({ baseUrl: server.url, vendor: "test" });
  try {
    const res = await http.request<Uint8Array>({ method: "GET", path: "/bin", responseType: "bytes" });
    expect([...res.body]).toEqual([0, 1, 2, 255]);
  } finally {
    await http.close();
  }
});
