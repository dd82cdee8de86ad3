/**
 * A real node:http server on 127.0.0.1 (free port) for the http-*.test.ts files: records every request and lets
 * each test script the answers, including dropped sockets and answers that never come.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void;

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  /** set the answer for the next requests (called with the request's 0-based index) */
  handle(handler: (index: number) => Handler): void;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  let pick: (index: number) => Handler = () => (_req, res) => res.end();
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on("data", (chunk: Buffer) => chunks.push(chunk));
    raw.on("end", () => {
      const recorded = {
        method: raw.method ?? "",
        url: raw.url ?? "",
        headers: raw.headers,
        body: Buffer.concat(chunks),
      };
      const index = requests.push(recorded) - 1;
      pick(index)(recorded, res, raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(handler) {
      requests.length = 0;
      pick = handler;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const answer =
  (status: number, body: unknown = "", headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json", ...headers });
    res.end(text);
  };

/** Close the connection without any answer, the way a crashing proxy does. */
export const drop: Handler = (_req, _res, raw) => raw.socket.destroy();

/** Never answer; the client's timeout must end the wait. */
export const hang: Handler = () => {};

/** A sleep that records what it was asked to wait and returns at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}
