/**
 * The CDN's HTTPS edge on loopback: picks the certificate to present by SNI, so `verify` can check what a browser
 * would actually be served after an upload/attach.
 */
import { createServer, type Server } from "node:https";
import { createSecureContext, type SecureContext } from "node:tls";
import type { AddressInfo, Socket } from "node:net";

export interface EdgeMaterial {
  certificate: string;
  privateKey: string;
  chain: string;
}

/** Answers which material to present for a server name (undefined -> the fallback certificate). */
export type EdgeSelector = (serverName: string) => { key: string; material: EdgeMaterial } | undefined;

export class CdnEdge {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly contexts = new Map<string, SecureContext>();
  private listenPort = 0;
  /** TLS handshakes by served-certificate key ("fallback" for unknown names) */
  readonly served = new Map<string, number>();

  constructor(
    private readonly fallback: EdgeMaterial,
    private readonly select: EdgeSelector,
  ) {}

  get port(): number {
    if (!this.server) throw new Error("cdn edge is not started");
    return this.listenPort;
  }

  async start(): Promise<number> {
    const server = createServer(
      {
        cert: this.fallback.certificate + this.fallback.chain,
        key: this.fallback.privateKey,
        SNICallback: (name, cb) => {
          try {
            cb(null, this.contextFor(name));
          } catch (error) {
            cb(error instanceof Error ? error : new Error(String(error)));
          }
        },
      },
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("swiftfederation sandbox edge\n");
      },
    );
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    // a client that hangs up mid-handshake must not take the sandbox down
    server.on("tlsClientError", () => {});
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.listenPort = (server.address() as AddressInfo).port;
    return this.listenPort;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forget cached contexts, e.g. after a record was deleted. */
  invalidate(key?: string): void {
    if (key === undefined) this.contexts.clear();
    else this.contexts.delete(key);
  }

  private contextFor(name: string): SecureContext {
    const picked = this.select(name);
    const key = picked?.key ?? "fallback";
    this.served.set(key, (this.served.get(key) ?? 0) + 1);
    let ctx = this.contexts.get(key);
    if (!ctx) {
      const m = picked?.material ?? this.fallback;
      ctx = createSecureContext({ cert: m.certificate + m.chain, key: m.privateKey });
      this.contexts.set(key, ctx);
    }
    return ctx;
  }
}
