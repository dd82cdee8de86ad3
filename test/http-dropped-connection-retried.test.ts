import { afterAll, beforeAll, expect, test } from "vitest";
import { HttpClient } from "../src/http/index.js";
import { answer, drop, recordingSleep, startTestServer, type TestServer } from "./support/http-server.js";

let server: TestServer;
beforeAll(async () => void (server = await startTestServer()));
afterAll(async () => server.close());

test("a GET whose connection the server destroys is retried and succeeds", async () => {
  server.handle((i) => (i === 0 ? drop : answer(200, [1, 2, 3])));
  const reasons: string[] = [];
  const http = new HttpClient({
    baseUrl: server.url,
    vendor: "test",
    sleep: recordingSleep().sleep,
    onRetry: (r) => reasons.push(r.reason),
  });
  try {
    const res = await http.request<number[]>({ method: "GET", path: "/list" });
    expect(res.body).toEqual([1, 2, 3]);
    expect(res.attempts).toBe(2);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
  } finally {
    await http.close();
  }
});

test("a POST whose connection drops after it was sent is not retried: NETWORK_ERROR", async () => {
  server.handle(() => drop);
  const http = new HttpClient({ baseUrl: server.url, vendor: "test", sleep: recordingSleep().sleep });
  try {
    const error = await http.request({ method: "POST", path: "/upload", body: "payload" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NETWORK_ERROR", vendor: "test" });
    expect((error as Error).message).toContain("may have reached the server");
    expect(server.requests).toHaveLength(1);
  } finally {
    await http.close();
  }
});
