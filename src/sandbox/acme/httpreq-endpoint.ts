/**
 * An endpoint for lego's `httpreq` DNS provider in front of pebble-challtestsrv: `POST /present` and `/cleanup` with
 * `{"fqdn", "value"}` (lego's default mode) add or remove one TXT value, and challtestsrv then serves the name's
 * current values. Used by the demo, where no Route53 exists.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface HttpreqEndpoint {
  url: string;
  /** TXT values currently published, per fqdn */
  readonly records: ReadonlyMap<string, readonly string[]>;
  stop(): Promise<void>;
}

export async function startHttpreqEndpoint(
  setTxt: (fqdn: string, values: string[]) => Promise<void>,
  /** when given, requests must carry these as HTTP basic auth (lego's HTTPREQ_USERNAME / HTTPREQ_PASSWORD) */
  basicAuth?: { username: string; password: string },
): Promise<HttpreqEndpoint> {
  const expected = basicAuth
    ? `Basic ${Buffer.from(`${basicAuth.username}:${basicAuth.password}`).toString("base64")}`
    : undefined;
  const records = new Map<string, string[]>();
  const sockets = new Set<Socket>();
  const reply = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (expected && req.headers.authorization !== expected) return reply(res, 401, "unauthorized");
    const action = req.method === "POST" ? req.url : undefined;
    if (action !== "/present" && action !== "/cleanup") return reply(res, 404, "POST /present or /cleanup");
    let body: { fqdn?: unknown; value?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { fqdn?: unknown; value?: unknown };
    } catch {
      return reply(res, 400, "expected JSON {fqdn, value}");
    }
    if (typeof body.fqdn !== "string" || typeof body.value !== "string")
      return reply(res, 400, "expected JSON {fqdn, value}");
    const values = records.get(body.fqdn) ?? [];
    const next = action === "/present" ? [...new Set([...values, body.value])] : values.filter((v) => v !== body.value);
    if (next.length > 0) records.set(body.fqdn, next);
    else records.delete(body.fqdn);
    await setTxt(body.fqdn, next);
    reply(res, 200, "ok");
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => reply(res, 500, error instanceof Error ? error.message : String(error)));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    records,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
