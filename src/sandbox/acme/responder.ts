/**
 * A small HTTPS front for Pebble 2.4, which has neither ACME Renewal Information (RFC 9773) nor profiles: requests
 * pass through to Pebble with the Host header kept (Pebble builds every URL it hands out from it, so the client stays
 * on this front), and this front adds what Pebble lacks:
 * - `renewalInfo` in the directory and `GET <renewalInfo>/<certID>` answering the window a test sets (RFC 9773 §4);
 * - `meta.profiles` in the directory and a check of the `profile` a newOrder asks for;
 * - counters of newAccount / newOrder requests and the order payloads (`profile`, `replaces`) for assertions.
 */
import { request as httpsRequest } from "node:https";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { TestCA } from "../ca.js";
import { FaultInjector } from "../faults.js";
import { collectAnswer, readBody } from "../server.js";

export interface RenewalWindow {
  start: Date;
  end: Date;
  /** seconds; sent as Retry-After */
  retryAfterSeconds?: number;
  explanationURL?: string;
}

export interface OrderSeen {
  identifiers: { type: string; value: string }[];
  profile?: string;
  replaces?: string;
}

export interface AcmeResponder {
  directoryUrl: string;
  /** PEM the client must trust for this front (the same test CA as Pebble's listener) */
  listenerCaPem: string;
  /** ARI: when undefined the directory has no renewalInfo; else the window for a certID */
  renewalInfo: ((certId: string) => RenewalWindow | undefined) | undefined;
  /** profiles offered in `meta.profiles` (name -> description); undefined: none listed */
  profiles: Record<string, string> | undefined;
  readonly newAccountRequests: number;
  /** newAccount answers that created an account (201), as opposed to finding the key's existing one (200) */
  readonly accountsCreated: number;
  readonly orders: readonly OrderSeen[];
  readonly renewalInfoRequests: readonly string[];
  /** answer the next newOrder with this instead of passing it to Pebble (RFC 8555 §6.6 rate limits, a 503) */
  failNextOrder: { status: 429 | 503; retryAfterSeconds?: number } | { status: 400; badNonce: true } | undefined;
  /**
   * false: account objects leave out `orders` (RFC 8555 §7.1.2.1), as Let's Encrypt's Boulder does ("Boulder does
   * not supply the `orders` field on account objects", boulder docs/acme-divergences.md §7.1.2). Default true (Pebble).
   */
  accountOrders: boolean;
  /**
   * Transport faults armed by tests, as on the vendor sandboxes (src/sandbox/faults.ts): consulted before anything
   * else, so a faulted request never reaches Pebble and is not counted as an order.
   */
  faults: FaultInjector;
  /** requests received per `METHOD /path` (query left off), faulted ones included */
  count(key: string): number;
  /** every request received */
  readonly requestCount: number;
  stop(): Promise<void>;
}

export interface AcmeResponderOptions {
  /** Pebble's ACME listener, host:port */
  pebbleAddress: string;
  /** issues this front's listener certificate; Pebble's listener must be trusted by the same CA's root */
  ca: TestCA;
}

function jwsPayload(body: Buffer): Record<string, unknown> {
  try {
    const jws = JSON.parse(body.toString("utf8")) as { payload?: string };
    return jws.payload
      ? (JSON.parse(Buffer.from(jws.payload, "base64url").toString("utf8")) as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export async function startAcmeResponder(options: AcmeResponderOptions): Promise<AcmeResponder> {
  const [pebbleHost, pebblePort] = options.pebbleAddress.split(":");
  const listener = await options.ca.issue({
    commonName: "localhost",
    sans: ["localhost", "127.0.0.1"],
    keyType: "ecc",
    days: 30,
  });
  const sockets = new Set<Socket>();
  const orders: OrderSeen[] = [];
  const renewalInfoRequests: string[] = [];
  let newAccountRequests = 0;
  let accountsCreated = 0;
  let origin = "";
  const counts = new Map<string, number>();

  const state: AcmeResponder = {
    directoryUrl: "",
    listenerCaPem: options.ca.rootPem,
    renewalInfo: undefined,
    profiles: undefined,
    get newAccountRequests() {
      return newAccountRequests;
    },
    get accountsCreated() {
      return accountsCreated;
    },
    orders,
    renewalInfoRequests,
    failNextOrder: undefined,
    accountOrders: true,
    faults: new FaultInjector(),
    count: (key) => counts.get(key) ?? 0,
    get requestCount() {
      return [...counts.values()].reduce((sum, n) => sum + n, 0);
    },
    stop: async () => undefined,
  };

  function toPebble(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = httpsRequest(
        {
          host: pebbleHost,
          port: Number(pebblePort),
          method: req.method,
          path: req.url,
          headers: req.headers,
          ca: options.ca.rootPem,
        },
        collectAnswer(resolve, reject),
      );
      upstream.on("error", reject);
      upstream.end(body);
    });
  }

  function send(
    res: ServerResponse,
    status: number,
    headers: IncomingMessage["headers"] | Record<string, string>,
    body: Buffer | string,
  ): void {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(headers))
      if (v !== undefined && k !== "content-length" && k !== "transfer-encoding") out[k] = v;
    out["content-length"] = String(Buffer.byteLength(body));
    res.writeHead(status, out);
    res.end(body);
  }

  const problem = (res: ServerResponse, status: number, type: string, detail: string) =>
    send(res, status, { "content-type": "application/problem+json" }, JSON.stringify({ type, detail, status }));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const body = await readBody(req);
    const key = `${req.method ?? "GET"} ${path}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const injected = state.faults.take(req.method ?? "GET", path);
    if (injected?.kind === "drop") {
      req.socket.destroy();
      return;
    }
    if (injected?.kind === "latency") await new Promise((resolve) => setTimeout(resolve, injected.ms));
    if (injected?.kind === "status") {
      return send(
        res,
        injected.status,
        {
          "content-type": "application/problem+json",
          ...(injected.retryAfterSeconds !== undefined ? { "retry-after": String(injected.retryAfterSeconds) } : {}),
        },
        JSON.stringify(
          injected.body ?? {
            type: "urn:ietf:params:acme:error:serverInternal",
            detail: "injected fault",
            status: injected.status,
          },
        ),
      );
    }

    if (req.method === "GET" && path.startsWith("/renewal-info/")) {
      const certId = decodeURIComponent(path.slice("/renewal-info/".length));
      renewalInfoRequests.push(certId);
      const window = state.renewalInfo?.(certId);
      if (!window) return problem(res, 404, "urn:ietf:params:acme:error:malformed", "no such certificate");
      // inferred: Retry-After defaults to 6 hours when a test does not set one (RFC 9773 §4.3 recommends a value, none is fixed)
      return send(
        res,
        200,
        { "content-type": "application/json", "retry-after": String(window.retryAfterSeconds ?? 21_600) },
        JSON.stringify({
          suggestedWindow: { start: window.start.toISOString(), end: window.end.toISOString() },
          ...(window.explanationURL ? { explanationURL: window.explanationURL } : {}),
        }),
      );
    }

    if (req.method === "POST" && path === "/order-plz") {
      const payload = jwsPayload(body);
      const seen: OrderSeen = { identifiers: (payload.identifiers as OrderSeen["identifiers"]) ?? [] };
      if (typeof payload.profile === "string") seen.profile = payload.profile;
      if (typeof payload.replaces === "string") seen.replaces = payload.replaces;
      orders.push(seen);
      const fault = state.failNextOrder;
      if (fault) {
        state.failNextOrder = undefined;
        if (fault.status === 400) {
          // RFC 8555 §6.5: a rejected nonce; the client retries with a fresh one (this front has none to give)
          return problem(res, 400, "urn:ietf:params:acme:error:badNonce", "JWS has an invalid anti-replay nonce");
        }
        const type =
          fault.status === 429 ? "urn:ietf:params:acme:error:rateLimited" : "urn:ietf:params:acme:error:serverInternal";
        const detail = fault.status === 429 ? "too many new orders recently" : "service busy";
        return send(
          res,
          fault.status,
          {
            "content-type": "application/problem+json",
            ...(fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {}),
          },
          JSON.stringify({ type, detail, status: fault.status }),
        );
      }
      if (seen.profile !== undefined && !(state.profiles && seen.profile in state.profiles)) {
        // inferred: the problem type comes from the ACME profiles draft, which RFC 9773 does not cover
        return problem(
          res,
          400,
          "urn:ietf:params:acme:error:invalidProfile",
          `profile ${JSON.stringify(seen.profile)} is not offered`,
        );
      }
    }

    const answer = await toPebble(req, body);
    if (injected?.kind === "drop-answer") {
      // Pebble acted on it; the client never hears back
      req.socket.destroy();
      return;
    }
    if (req.method === "POST" && path === "/sign-me-up") {
      newAccountRequests += 1;
      if (answer.status === 201) accountsCreated += 1;
    }
    if (
      !state.accountOrders &&
      req.method === "POST" &&
      (path === "/sign-me-up" || path.startsWith("/my-account/")) &&
      answer.status < 300
    ) {
      const account = JSON.parse(answer.body.toString("utf8")) as Record<string, unknown>;
      delete account.orders;
      return send(res, answer.status, answer.headers, JSON.stringify(account));
    }
    if (req.method === "GET" && path === "/dir" && answer.status === 200) {
      const directory = JSON.parse(answer.body.toString("utf8")) as Record<string, unknown> & {
        meta?: Record<string, unknown>;
      };
      if (state.renewalInfo) directory.renewalInfo = `${origin}/renewal-info`;
      // inferred: `meta.profiles` as Let's Encrypt publishes it (name -> description); not part of RFC 9773
      if (state.profiles) directory.meta = { ...(directory.meta ?? {}), profiles: state.profiles };
      return send(res, 200, { ...answer.headers, "content-type": "application/json" }, JSON.stringify(directory));
    }
    send(res, answer.status, answer.headers, answer.body);
  }

  const server: Server = createServer(
    { cert: listener.certificate + listener.chain, key: listener.privateKey },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          problem(
            res,
            502,
            "urn:ietf:params:acme:error:serverInternal",
            `acme responder: ${error instanceof Error ? error.message : String(error)}`,
          );
      });
    },
  );
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.directoryUrl = `${origin}/dir`;
  state.stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
