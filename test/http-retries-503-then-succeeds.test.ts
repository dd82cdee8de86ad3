import { afterAll, beforeAll, expect, test } from "vitest";
import { HttpClient, HttpStatusError } from "../src/http/index.js";
import { answer, recordingSleep, startTestServer, type TestServer } from "./support/http-server.js";

let server: TestServer;
beforeAll(async () => void (server = await startTestServer()));
afterAll(async () => server.close());

test("a GET that meets two 503s succeeds on the third attempt, waiting between attempts", async () => {
  server.handle((i) => (i < 2 ? answer(503, "busy") : answer(200, { ok: true })));
  const { sleep, waits } = recordingSleep();
  const retries: { attempt: number; reason: string; status?: number }[] = [];
  const http = new HttpClient({
    baseUrl: server.url,
    vendor: "test",
    sleep,
    random: () => 0.5,
    onRetry: (r) => retries.push(r),
  });
  try {
    const res = await http.request<{ ok: boolean }>({ method: "GET", path: "/things" });
    expect(res).toMatchObject({ status: 200, body: { ok: true }, attempts: 3 });
    expect(server.requests).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(retries.map((r) => [r.attempt, r.reason, r.status])).toEqual([
      [1, "status 503", 503],
      [2, "status 503", 503],
    ]);
  } finally {
    await http.close();
  }
});

test("after the last retry the 503 is thrown as HTTP_ERROR with a ky-style message", async () => {
  server.handle(() => answer(503, { error: "maintenance" }));
  const { sleep } = recordingSleep();
  const http = new HttpClient({ baseUrl: server.url, vendor: "test", sleep, retry: { retries: 2 } });
  try {
    const error = await http.request({ method: "GET", path: "/things" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    const e = error as HttpStatusError;
    expect(e.code).toBe("HTTP_ERROR");
    expect(e.status).toBe(503);
    expect(e.vendor).toBe("test");
    expect(e.attempts).toBe(3);
    expect(e.body).toEqual({ error: "maintenance" });
    expect(e.message).toMatch(
      new RegExp(`^Request failed with status code 503 Service Unavailable: GET ${server.url}/things`),
    );
    expect(server.requests).toHaveLength(3);
  } finally {
    await http.close();
  }
});

test("a 404 listed in acceptStatus comes back as a response, not retried", async () => {
  server.handle(() => answer(404, { code: "NotFound" }));
  const http = new HttpClient({ baseUrl: server.url, vendor: "test", sleep: recordingSleep().sleep });
  try {
    const res = await http.request({ method: "GET", path: "/missing", acceptStatus: [404] });
    expect(res).toMatchObject({ status: 404, body: { code: "NotFound" }, attempts: 1 });
  } finally {
    await http.close();
  }
});
