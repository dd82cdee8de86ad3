import { createServer } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { HttpClient } from "../src/http/index.js";
import { answer, recordingSleep, startTestServer, type TestServer } from "./support/http-server.js";

let server: TestServer;
beforeAll(async () => void (server = await startTestServer()));
afterAll(async () => server.close());

test("a POST that meets a 503 is sent once and the error says why it was not retried", async () => {
  server.handle(() => answer(503));
  const { sleep, waits } = recordingSleep();
  const http = new HttpClient({ baseUrl: server.url, vendor: "test", sleep });
  try {
    const error = await http.request({ method: "POST", path: "/orders", json: { n: 1 } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "HTTP_ERROR", status: 503 });
    expect((error as Error).message).toContain("not retried because POST is not idempotent");
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  } finally {
    await http.close();
  }
});

test("a POST the caller marks idempotent is retried", async () => {
  server.handle((i) => (i === 0 ? answer(503) : answer(200, { done: true })));
  const http = new HttpClient({ baseUrl: server.url, vendor: "test", sleep: recordingSleep().sleep });
  try {
    const res = await http.request({ method: "POST", path: "/attach", json: {}, idempotent: true });
    expect(res.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  } finally {
    await http.close();
  }
});

test("a POST refused at connect time (nothing sent) is retried, then fails as NETWORK_ERROR", async () => {
  // A port that was free a moment ago: the connection is refused before any byte of the request leaves.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const reasons: string[] = [];
  const http = new HttpClient({
    baseUrl: `http://127.0.0.1:${port}`,
    vendor: "test",
    sleep: recordingSleep().sleep,
    retry: { retries: 2 },
    onRetry: (r) => reasons.push(r.reason),
  });
  try {
    const error = await http.request({ method: "POST", path: "/orders", json: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NETWORK_ERROR", vendor: "test" });
    expect((error as Error).message).toContain("ECONNREFUSED");
    expect((error as Error).cause).toBeDefined();
    expect(reasons).toEqual(["ECONNREFUSED", "ECONNREFUSED"]);
  } finally {
    await http.close();
  }
});
