import { afterAll, beforeAll, expect, test } from "vitest";
import { HttpClient, HttpStatusError } from "../src/http/index.js";
import { answer, recordingSleep, startTestServer, type TestServer } from "./support/http-server.js";

let server: TestServer;
beforeAll(async () => void (server = await startTestServer()));
afterAll(async () => server.close());

const NOW = new Date("2026-11-24T12:00:00Z");

test("a 429 with Retry-After: 2 waits exactly 2000 ms, then succeeds", async () => {
  server.handle((i) => (i === 0 ? answer(429, "slow down", { "retry-after": "2" }) : answer(200, { ok: 1 })));
  const { sleep, waits } = recordingSleep();
  const http = new HttpClient({ baseUrl: server.url, vendor: "test", sleep });
  try {
    const res = await http.request({ method: "GET", path: "/" });
    expect(res.attempts).toBe(2);
    expect(waits).toEqual([2000]);
  } finally {
    await http.close();
  }
});

test("Retry-After as an HTTP date is measured against the injected clock", async () => {
  const at = new Date(NOW.getTime() + 7_000).toUTCString();
  server.handle((i) => (i === 0 ? answer(503, "", { "retry-after": at }) : answer(204)));
  const { sleep, waits } = recordingSleep();
  const http = new HttpClient({ baseUrl: server.url, vendor: "test", sleep, clock: () => NOW });
  try {
    expect((await http.request({ method: "DELETE", path: "/x" })).status).toBe(204);
    expect(waits).toEqual([7000]);
  } finally {
    await http.close();
  }
});

test("a Retry-After beyond maxRetryAfterMs stops at once with RATE_LIMITED saying when to retry", async () => {
  server.handle(() => answer(429, "", { "retry-after": "120" }));
  const { sleep, waits } = recordingSleep();
  const http = new HttpClient({
    baseUrl: server.url,
    vendor: "test",
    sleep,
    clock: () => NOW,
    retry: { maxRetryAfterMs: 30_000 },
  });
  try {
    const error = await http.request({ method: "GET", path: "/quota" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    const e = error as HttpStatusError;
    expect(e.code).toBe("RATE_LIMITED");
    expect(e.message).toContain("Request failed with status code 429 Too Many Requests");
    expect(e.message).toContain("retry after 2026-11-24T12:02:00.000Z");
    expect(e.retryAt).toEqual(new Date("2026-11-24T12:02:00Z"));
    expect(waits).toEqual([]);
    expect(server.requests).toHaveLength(1);
  } finally {
    await http.close();
  }
});
