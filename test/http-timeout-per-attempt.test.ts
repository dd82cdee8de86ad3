import { afterAll, beforeAll, expect, test } from "vitest";
import { isTimeoutError } from "../src/errors.js";
import { HttpClient } from "../src/http/index.js";
import { answer, hang, recordingSleep, startTestServer, type TestServer } from "./support/http-server.js";

let server: TestServer;
beforeAll(async () => void (server = await startTestServer()));
afterAll(async () => server.close());

test("an answer that never comes raises TIMEOUT naming the request", async () => {
  server.handle(() => hang);
  const http = new HttpClient({
    baseUrl: server.url,
    vendor: "test",
    sleep: recordingSleep().sleep,
    retry: { retries: 0 },
  });
  try {
    const error = await http.request({ method: "GET", path: "/slow", timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toSatisfy(isTimeoutError);
    expect(error).toMatchObject({ code: "TIMEOUT", vendor: "test" });
    expect((error as Error).message).toContain(`GET ${server.url}/slow timed out after 100ms`);
  } finally {
    await http.close();
  }
});

test("a GET that timed out once is retried and the second attempt's answer is returned", async () => {
  server.handle((i) => (i === 0 ? hang : answer(200, "late but fine")));
  const reasons: string[] = [];
  const http = new HttpClient({
    baseUrl: server.url,
    vendor: "test",
    timeoutMs: 100,
    sleep: recordingSleep().sleep,
    onRetry: (r) => reasons.push(r.reason),
  });
  try {
    const res = await http.request({ method: "GET", path: "/slow", responseType: "text" });
    expect(res).toMatchObject({ body: "late but fine", attempts: 2 });
    expect(reasons).toEqual(["timeout after 100ms"]);
  } finally {
    await http.close();
  }
});
