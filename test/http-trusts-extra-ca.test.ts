import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { HttpClient } from "../src/http/index.js";
import { TestCA } from "../src/sandbox/ca.js";

// TLS checks validity against the real clock, so this CA is dated now rather than on a fixed clock.
const NOW = new Date();
let ca: TestCA;
let server: Server;
let url: string;

beforeAll(async () => {
  ca = await TestCA.create({ name: "HTTP Test", now: NOW });
  const leaf = await ca.issue({
    commonName: "127.0.0.1",
    sans: ["127.0.0.1"],
    notBefore: new Date(NOW.getTime() - 60_000),
  });
  server = createServer({ key: leaf.privateKey, cert: leaf.certificate + leaf.chain }, (_req, res) =>
    res.end('{"secure":true}'),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test("an https endpoint signed by the extra CA is trusted when the CA is passed", async () => {
  const http = new HttpClient({ baseUrl: url, vendor: "test", ca: ca.rootPem });
  try {
    expect((await http.request({ method: "GET", path: "/" })).body).toEqual({ secure: true });
  } finally {
    await http.close();
  }
});

test("without the CA the request fails once, as NETWORK_ERROR that says to pass the CA", async () => {
  let retried = 0;
  const http = new HttpClient({ baseUrl: url, vendor: "test", sleep: async () => {}, onRetry: () => void retried++ });
  try {
    const error = await http.request({ method: "GET", path: "/" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NETWORK_ERROR", vendor: "test" });
    expect((error as Error).message).toContain("pass its CA as the ca option");
    expect(retried).toBe(0);
  } finally {
    await http.close();
  }
});
