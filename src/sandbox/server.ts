/**
 * The HTTP plumbing every vendor sandbox shares: a loopback listener on a free port, a tiny router, request
 * counters (so tests can assert "no request was sent" or "exactly one purchase") and fault injection.
 * Vendor behaviour lives in src/sandbox/<vendor>/; this file knows no vendor.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Server, Socket } from "node:net";
import { systemClock, type Clock } from "../model.js";
import { FaultInjector } from "./faults.js";

export interface RouteContext {
  method: string;
  url: URL;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** raw request body */
  body: Buffer;
  /** the body parsed as JSON, or undefined when it is not JSON */
  json(): unknown;
  text(): string;
  /** the raw request, for multipart parsing */
  req: IncomingMessage;
}

export interface RouteResult {
  status?: number;
  json?: unknown;
  body?: Buffer | string;
  headers?: Record<string, string>;
}

export type RouteHandler = (ctx: RouteContext) => RouteResult | Promise<RouteResult>;

/** A request as it arrived, for fidelity tests that compare what a client sends with the vendor's documented shape. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** every query parameter, in arrival order (a repeated name keeps its first value) */
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  /** the raw body text ("" when none) */
  body: string;
}

interface Route {
  method: string;
  key: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

export interface SandboxServerOptions {
  clock?: Clock;
  /** randomness for fault probabilities; inject for deterministic chaos runs */
  random?: () => number;
}

export class SandboxServer {
  readonly faults: FaultInjector;
  readonly clock: Clock;
  private readonly routes: Route[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly routeCounts = new Map<string, number>();
  private total = 0;
  private baseUrl = "";
  /** set to an array to record every request (tests only: bodies may carry keys) */
  recording: RecordedRequest[] | undefined;

  constructor(
    readonly name: string,
    options: SandboxServerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.faults = new FaultInjector(options.random);
  }

  /** Register a route. `pattern` uses `:name` segments, e.g. `/ssl-certificate/:id/renew`. */
  route(method: string, pattern: string, handler: RouteHandler): this {
    const names: string[] = [];
    const source = pattern
      .split("/")
      .map((seg) => {
        if (seg.startsWith(":")) {
          names.push(seg.slice(1));
          return "([^/]+)";
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({
      method: method.toUpperCase(),
      key: `${method.toUpperCase()} ${pattern}`,
      pattern: new RegExp(`^${source}$`),
      names,
      handler,
    });
    return this;
  }

  get url(): string {
    if (!this.baseUrl) throw new Error(`${this.name} sandbox is not started`);
    return this.baseUrl;
  }

  /**
   * The listening server for `handler`: plain HTTP by default. A vendor whose API port also speaks TLS (the
   * Yeastar PBX serves its API and its web server's certificate on one port) returns its own listener.
   */
  protected createListener(handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
    return createServer(handler);
  }

  async start(port = 0): Promise<string> {
    const server = this.createListener((req, res) => void this.dispatch(req, res));
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Requests received on a route key such as `POST /ssl-certificate` (faulted requests included). */
  count(routeKey: string): number {
    return this.routeCounts.get(routeKey) ?? 0;
  }

  /** Every request received, routed or not. */
  get requestCount(): number {
    return this.total;
  }

  stats(): { requests: number; byRoute: Record<string, number>; faults: Record<string, number> } {
    return { requests: this.total, byRoute: Object.fromEntries(this.routeCounts), faults: this.faults.counts() };
  }

  resetStats(): void {
    this.total = 0;
    this.routeCounts.clear();
  }

  private match(method: string, pathname: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? "")));
      return { route, params };
    }
    return undefined;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.total += 1;
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const found = this.match(method, url.pathname);
    const key = found?.route.key ?? `${method} (unrouted)`;
    this.routeCounts.set(key, (this.routeCounts.get(key) ?? 0) + 1);
    try {
      const body = await readBody(req);
      if (this.recording) {
        const query: Record<string, string> = {};
        for (const [name, value] of url.searchParams) if (!(name in query)) query[name] = value;
        this.recording.push({
          method,
          path: url.pathname,
          query,
          headers: { ...req.headers },
          body: body.toString("utf8"),
        });
      }
      const fault = this.faults.take(method, url.pathname);
      if (fault?.kind === "drop") {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === "latency") await new Promise((r) => setTimeout(r, fault.ms));
      if (fault?.kind === "status") {
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
        send(res, {
          status: fault.status,
          headers,
          json: fault.body ?? { error: "injected fault", status: fault.status },
        });
        return;
      }
      if (!found) {
        send(res, { status: 404, json: { error: "not found", path: url.pathname } });
        return;
      }
      const ctx: RouteContext = {
        method,
        url,
        params: found.params,
        query: url.searchParams,
        headers: req.headers,
        body,
        req,
        text: () => body.toString("utf8"),
        json: () => {
          try {
            return JSON.parse(body.toString("utf8")) as unknown;
          } catch {
            return undefined;
          }
        },
      };
      const result = await found.route.handler(ctx);
      if (fault?.kind === "drop-answer") {
        req.socket.destroy();
        return;
      }
      send(res, result);
    } catch (error) {
      // A sandbox bug must surface as a 500 the client can see, not a hung socket.
      send(res, {
        status: 500,
        json: { error: "sandbox internal error", detail: error instanceof Error ? error.message : String(error) },
      });
    }
  }
}

/** An upstream answer as the ACME fronts in ./acme/ pass it on: status, headers and the whole body. */
export interface ProxiedAnswer {
  status: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/** The response callback of an upstream request that collects its whole answer (the ACME fronts proxy it on). */
export function collectAnswer(
  resolve: (answer: ProxiedAnswer) => void,
  reject: (error: Error) => void,
): (res: IncomingMessage) => void {
  return (res) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
    res.on("error", reject);
  };
}

/** The whole request body; also used by the ACME fronts in ./acme/, which proxy it on unchanged. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, result: RouteResult): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...(result.headers ?? {}) };
  let payload: Buffer | string = "";
  if (result.json !== undefined) {
    payload = JSON.stringify(result.json);
    headers["content-type"] ??= "application/json";
  } else if (result.body !== undefined) {
    payload = result.body;
  }
  headers["content-length"] = String(Buffer.byteLength(payload));
  res.writeHead(result.status ?? 200, headers);
  res.end(payload);
}

/** A clock tests can move: `clock.advance(days(3))`. */
export class ManualClock {
  private t: number;
  constructor(start: Date) {
    this.t = start.getTime();
  }
  readonly now: Clock = () => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
  set(date: Date): void {
    this.t = date.getTime();
  }
}

export { DAY_MS } from "../model.js";
