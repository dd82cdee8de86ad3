import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { backoffDelay, HttpClient } from "../src/http/index.js";
import { answer, recordingSleep, startTestServer, type TestServer } from "./support/http-server.js";

let server: TestServer;
beforeAll(async () => void (server = await startTestServer()));
afterAll(async () => server.close());

test("every backoff delay lies between half and all of the capped exponential ceiling", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 0, max: 60_000 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (retry, minDelayMs, extra, r) => {
        const policy = { retries: 3, minDelayMs, maxDelayMs: minDelayMs + extra, maxRetryAfterMs: 30_000 };
        const ceiling = Math.min(policy.maxDelayMs, minDelayMs * 2 ** (retry - 1));
        const delay = backoffDelay(retry, policy, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(Math.ceil(ceiling));
        expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
      },
    ),
  );
});

test("the client sleeps the jittered delays, doubling from minDelayMs up to maxDelayMs", async () => {
  server.handle(() => answer(502));
  const { sleep, waits } = recordingSleep();
  const http = new HttpClient({
    baseUrl: server.url,
    vendor: "test",
    sleep,
    random: () => 1,
    retry: { retries: 4, minDelayMs: 100, maxDelayMs: 500 },
  });
  try {
    await expect(http.request({ method: "GET", path: "/" })).rejects.toMatchObject({ code: "HTTP_ERROR", status: 502 });
    expect(waits).toEqual([100, 200, 400, 500]);
  } finally {
    await http.close();
  }
});
