/**
 * The one HTTP client every vendor client uses: undici keep-alive pool, per-attempt timeout, jittered retries for
 * idempotent requests, Retry-After, a per-attempt signing hook, and redaction of anything secret in what it throws.
 */
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";
import type { Agent } from "undici";
import type { Deadline } from "../deadline.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { realSleep, systemClock, type Clock, type Sleep } from "../model.js";
import { HttpStatusError } from "./errors.js";
import { REDACTED, redact, redactValue } from "./redact.js";
import {
  backoffDelay,
  errorCode,
  isRetryableStatus,
  nothingWasSent,
  parseRetryAfter,
  resolveRetryPolicy,
  type RetryPolicy,
} from "./retry.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD";

export interface HttpRequest {
  method: HttpMethod;
  /** joined to baseUrl (baseUrl may carry a path prefix); may carry its own query string */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** serialised, content-type application/json */
  json?: unknown;
  /** FormData is sent as real multipart/form-data (boundary set by the encoder) */
  body?: string | Uint8Array | FormData;
  /** default: true for GET/HEAD/PUT/DELETE, false for POST/PATCH */
  idempotent?: boolean;
  /** per attempt; default from client options */
  timeoutMs?: number;
  /** default json (falls back to text if the body is not JSON; an empty body is `undefined`) */
  responseType?: "json" | "text" | "bytes";
  /** statuses returned as a response instead of thrown (e.g. [400, 404] when a vendor client maps bodies itself) */
  acceptStatus?: number[];
  /**
   * Clean-up calls (revoking a session token) run in the reserve the run's deadline leaves, not in its budget:
   * a run that ran out of time must still give back what it holds.
   */
  cleanup?: boolean;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
  attempts: number;
}

export interface RetryInfo {
  /** the attempt that just failed, 1-based */
  attempt: number;
  delayMs: number;
  /** redacted, e.g. `status 503 Service Unavailable`, `ECONNRESET`, `timeout after 15000ms` */
  reason: string;
  method: string;
  /** redacted request path (no query string) */
  path: string;
  /** the status when the failed attempt got an answer */
  status?: number;
}

export interface SignableRequest {
  method: string;
  url: URL;
  /** lower-case names */
  headers: Record<string, string>;
  body: string | undefined;
}

export interface HttpClientOptions {
  baseUrl: string;
  /** for error messages, e.g. "cdn" */
  vendor: string;
  userAgent?: string;
  defaultHeaders?: Record<string, string>;
  /** per attempt; default 15000 */
  timeoutMs?: number;
  /** default { retries: 3, minDelayMs: 200, maxDelayMs: 5000, maxRetryAfterMs: 30000 } */
  retry?: Partial<RetryPolicy>;
  /** tests inject a no-op */
  sleep?: Sleep;
  /** jitter source, [0, 1) */
  random?: () => number;
  /** to turn an HTTP-date Retry-After into a delay */
  clock?: Clock;
  onRetry?: (info: RetryInfo) => void;
  /**
   * Signs a request (CDN HMAC, EnOS signature): gets the final method/url/headers/body, returns headers to add.
   * Called on EVERY attempt, because signatures carry timestamps and nonces.
   */
  sign?: (req: SignableRequest) => Record<string, string> | Promise<Record<string, string>>;
  /** extra trusted CA PEM for https endpoints (sandbox); added to Node's built-in roots */
  ca?: string | string[];
  /** keep-alive connections per origin; default 8 */
  connections?: number;
  /** the run's time budget: each attempt's timeout and each backoff are cut to what is left of it */
  deadline?: Deadline | undefined;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_USER_AGENT = "certrelay";

interface EncodedBody {
  payload: string | Uint8Array | undefined;
  contentType: string | undefined;
  /** what the sign hook sees */
  text: string | undefined;
}

type Attempt =
  | { kind: "response"; status: number; headers: Record<string, string>; bytes: Uint8Array }
  | { kind: "timeout" }
  | { kind: "failure"; error: unknown };

const secureContexts = new Map<string, SecureContext>();

/**
 * One TLS context per set of extra CAs, shared by every client and connection. Given `ca` instead, Node builds a
 * context for each connection and parses all ~140 roots again: a fleet run opening dozens of connections at once
 * held tens of MB for that alone (bench/RESULTS.md, fleet memory).
 */
function secureContextFor(extraCa: string[]): SecureContext {
  const key = extraCa.join("\n");
  let context = secureContexts.get(key);
  if (!context) {
    context = createSecureContext({ ca: [...rootCertificates, ...extraCa] });
    secureContexts.set(key, context);
  }
  return context;
}

export class HttpClient {
  private readonly options: HttpClientOptions;
  private readonly base: URL;
  private agent: Promise<Agent> | undefined;
  private readonly agentOptions: ConstructorParameters<typeof Agent>[0];
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly clock: Clock;
  private readonly secrets = new Set<string>();
  private readonly baseHeaders: Record<string, string> = {};

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.base = new URL(options.baseUrl);
    this.policy = resolveRetryPolicy(options.retry);
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? systemClock;
    // Credentials in the base URL become a Basic header so they never sit in a URL we print.
    if (this.base.username !== "" || this.base.password !== "") {
      const user = decodeURIComponent(this.base.username);
      const pass = decodeURIComponent(this.base.password);
      this.addSecret(pass);
      this.baseHeaders.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
      this.base.username = "";
      this.base.password = "";
    }
    Object.assign(
      this.baseHeaders,
      { "user-agent": options.userAgent ?? DEFAULT_USER_AGENT },
      lowerCaseKeys(options.defaultHeaders),
    );
    const extraCa = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
    this.agentOptions = {
      connections: options.connections ?? 8,
      // Passing `ca` replaces Node's roots, so keep them: a sandbox CA must not break real vendors.
      connect: extraCa.length > 0 ? { secureContext: secureContextFor(extraCa) } : {},
    };
  }

  /**
   * undici is loaded with the first request, not at start: it is the largest cold-start cost of every bundle, and
   * commands that never call a vendor (inspect, csr, --help, a scan with nothing due) should not pay for it.
   */
  private dispatcher(): Promise<Agent> {
    return (this.agent ??= import("undici").then(({ Agent: UndiciAgent }) => new UndiciAgent(this.agentOptions)));
  }

  /** Register a secret value (token, key) to be redacted from any error/log text this client produces. */
  addSecret(value: string | undefined): void {
    if (value !== undefined && value !== "") this.secrets.add(value);
  }

  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    if (agent) await (await agent).close();
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const url = this.buildUrl(req);
    const safeUrl = this.redact(url.toString());
    const safePath = this.redact(url.pathname);
    const method = req.method;
    const idempotent = req.idempotent ?? (method !== "POST" && method !== "PATCH");
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const body = await encodeBody(req);
    const headers: Record<string, string> = { ...this.baseHeaders };
    if (body.contentType !== undefined) headers["content-type"] = body.contentType;
    Object.assign(headers, lowerCaseKeys(req.headers));
    // A multipart boundary is chosen by the encoder; a caller's content-type would break the body.
    if (req.body instanceof FormData && body.contentType !== undefined) headers["content-type"] = body.contentType;

    const deadline = req.cleanup ? undefined : this.options.deadline;
    let lastReason: string | undefined;
    for (let attempt = 1; ; attempt++) {
      if (deadline?.expired())
        throw deadline.error(
          `${lastReason ? "retrying" : "sending"} ${method} ${safeUrl}${lastReason ? ` (last attempt: ${lastReason})` : ""}`,
          { vendor: this.options.vendor },
        );
      // An attempt never outlives the run: a hanging vendor costs what is left of the budget, not a full timeout.
      const attemptMs = deadline ? Math.max(1, deadline.cap(timeoutMs)) : timeoutMs;
      const outcome = await this.attempt(method, url, headers, body, attemptMs, deadline);
      if (outcome.kind === "timeout" && deadline && (attemptMs < timeoutMs || deadline.stopped !== undefined)) {
        throw deadline.error(
          `waiting ${Math.round(attemptMs)} ms for ${method} ${safeUrl} from ${this.options.vendor}`,
          { vendor: this.options.vendor },
        );
      }
      const retriesLeft = attempt <= this.policy.retries;
      let delayMs: number;
      let reason: string;
      let status: number | undefined;

      if (outcome.kind === "response") {
        status = outcome.status;
        const ok = (status >= 200 && status < 300) || (req.acceptStatus?.includes(status) ?? false);
        if (ok) {
          return {
            status,
            headers: outcome.headers,
            body: decodeBody(outcome.bytes, req.responseType ?? "json") as T,
            attempts: attempt,
          };
        }
        const retryAfterMs = parseRetryAfter(outcome.headers["retry-after"], this.clock());
        const fail = (detail?: string, code?: typeof ErrorCodes.RATE_LIMITED): HttpStatusError =>
          new HttpStatusError({
            status: outcome.status,
            method,
            url: safeUrl,
            body: redactValue(decodeBody(outcome.bytes, "json"), this.secrets),
            headers: this.redactHeaders(outcome.headers),
            attempts: attempt,
            vendor: this.options.vendor,
            code,
            detail,
            retryAfterMs,
            retryAt: retryAfterMs === undefined ? undefined : new Date(this.clock().getTime() + retryAfterMs),
          });
        const retryable = idempotent && isRetryableStatus(status);
        if (retryable && retriesLeft && retryAfterMs !== undefined && retryAfterMs > this.policy.maxRetryAfterMs) {
          const at = new Date(this.clock().getTime() + retryAfterMs).toISOString();
          throw fail(
            `${this.options.vendor} asked to wait ${Math.ceil(retryAfterMs / 1000)}s, longer than the ${this.policy.maxRetryAfterMs}ms this client waits; retry after ${at}`,
            ErrorCodes.RATE_LIMITED,
          );
        }
        if (!retryable || !retriesLeft) {
          const notRetried =
            !idempotent && isRetryableStatus(status) ? `not retried because ${method} is not idempotent` : undefined;
          const waitHint =
            status === 429 && retryAfterMs !== undefined
              ? `retry after ${new Date(this.clock().getTime() + retryAfterMs).toISOString()}`
              : undefined;
          const attemptsNote = attempt > 1 ? `gave up after ${attempt} attempts` : undefined;
          throw fail([notRetried, attemptsNote, waitHint].filter((s) => s !== undefined).join("; ") || undefined);
        }
        delayMs = retryAfterMs ?? backoffDelay(attempt, this.policy, this.random);
        reason = `status ${status}`;
      } else if (outcome.kind === "timeout") {
        if (!idempotent || !retriesLeft) {
          const why = !idempotent
            ? ` (not retried because ${method} is not idempotent)`
            : attempt > 1
              ? ` (gave up after ${attempt} attempts)`
              : "";
          throw new CertrelayError(
            ErrorCodes.TIMEOUT,
            `${method} ${safeUrl} timed out after ${timeoutMs}ms${why}: check that the ${this.options.vendor} endpoint is reachable, or raise the timeout`,
            { vendor: this.options.vendor },
          );
        }
        delayMs = backoffDelay(attempt, this.policy, this.random);
        reason = `timeout after ${timeoutMs}ms`;
      } else {
        const code = errorCode(outcome.error);
        if (code === undefined || UNRETRYABLE_UNDICI_CODES.has(code))
          throw this.unexpected(outcome.error, method, safeUrl);
        // A POST is retried only when the connection was never made: the server cannot have acted on it.
        const retryable = idempotent || nothingWasSent(outcome.error);
        if (!retryable || !retriesLeft) {
          const why = !retryable
            ? ` (not retried because ${method} is not idempotent and the request may have reached the server)`
            : attempt > 1
              ? ` (gave up after ${attempt} attempts)`
              : "";
          throw new CertrelayError(
            ErrorCodes.NETWORK_ERROR,
            `Network error (${code}) on ${method} ${safeUrl}${why}: check that the ${this.options.vendor} endpoint is reachable from here`,
            { vendor: this.options.vendor, cause: outcome.error },
          );
        }
        delayMs = backoffDelay(attempt, this.policy, this.random);
        reason = code;
      }

      if (deadline && delayMs >= deadline.remaining()) {
        throw deadline.error(`waiting ${delayMs} ms to retry ${method} ${safeUrl} after ${reason}`, {
          vendor: this.options.vendor,
        });
      }
      lastReason = reason;
      this.options.onRetry?.({
        attempt,
        delayMs,
        reason,
        method,
        path: safePath,
        ...(status === undefined ? {} : { status }),
      });
      await this.sleep(delayMs);
    }
  }

  private async attempt(
    method: HttpMethod,
    url: URL,
    headers: Record<string, string>,
    body: EncodedBody,
    timeoutMs: number,
    deadline?: Deadline,
  ): Promise<Attempt> {
    const controller = new AbortController();
    let timedOut = false;
    const abort = (): void => {
      timedOut = true;
      controller.abort();
    };
    const timer = setTimeout(abort, timeoutMs);
    // a run stopped from outside (a cancelled job) does not wait out a hanging vendor: its deadline ends the attempt
    const stop = deadline?.stopped === undefined ? deadline?.stopSignal : undefined;
    stop?.addEventListener("abort", abort, { once: true });
    if (deadline?.stopped !== undefined) abort();
    try {
      const attemptHeaders = { ...headers };
      if (this.options.sign) {
        const added = await this.options.sign({
          method,
          url: new URL(url),
          headers: { ...attemptHeaders },
          body: body.text,
        });
        Object.assign(attemptHeaders, lowerCaseKeys(added));
      }
      const res = await (
        await this.dispatcher()
      ).request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers: attemptHeaders,
        body: body.payload,
        signal: controller.signal,
      });
      const bytes = new Uint8Array(await res.body.arrayBuffer());
      return { kind: "response", status: res.statusCode, headers: flattenHeaders(res.headers), bytes };
    } catch (error) {
      if (timedOut) return { kind: "timeout" };
      return { kind: "failure", error };
    } finally {
      clearTimeout(timer);
      stop?.removeEventListener("abort", abort);
    }
  }

  private buildUrl(req: HttpRequest): URL {
    const prefix = this.base.pathname.replace(/\/+$/, "");
    const queryAt = req.path.indexOf("?");
    const path = queryAt === -1 ? req.path : req.path.slice(0, queryAt);
    const url = new URL(this.base.origin);
    url.pathname = `${prefix}${path.startsWith("/") ? "" : "/"}${path}`;
    if (queryAt !== -1) url.search = req.path.slice(queryAt + 1);
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.append(name, String(value));
    }
    return url;
  }

  /** Response headers kept on an error: cookies and credentials blanked, registered secrets removed. */
  private redactHeaders(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      out[name] = /cookie|authorization|token|signature|^x-sfd-/i.test(name) ? REDACTED : this.redact(value);
    }
    return out;
  }

  private redact(text: string): string {
    return redact(text, this.secrets);
  }

  /** Anything that is neither an answer nor a known network failure: a bug or bad input, never retried. */
  private unexpected(error: unknown, method: string, safeUrl: string): unknown {
    // The sign hook's own errors (a missing key, say) already tell the user what to fix.
    if (error instanceof CertrelayError) return error;
    const detail = error instanceof Error ? this.redact(error.message) : "unknown failure";
    const code = error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : "";
    if (/CERT|TLS|SSL/.test(code)) {
      return new CertrelayError(
        ErrorCodes.NETWORK_ERROR,
        `TLS failed on ${method} ${safeUrl} (${code}: ${detail}): the ${this.options.vendor} endpoint's certificate is not trusted; fix its chain, or pass its CA as the ca option`,
        { vendor: this.options.vendor, cause: error },
      );
    }
    return new CertrelayError(
      ErrorCodes.NETWORK_ERROR,
      `Request ${method} ${safeUrl} failed before an answer arrived: ${detail}`,
      {
        vendor: this.options.vendor,
        cause: error,
      },
    );
  }
}

/** undici codes for our own mistakes, not the network's: retrying would fail the same way. */
const UNRETRYABLE_UNDICI_CODES = new Set([
  "UND_ERR_INVALID_ARG",
  "UND_ERR_NOT_SUPPORTED",
  "UND_ERR_INVALID_RETURN_VALUE",
  "UND_ERR_ABORTED",
  "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_DESTROYED",
  "UND_ERR_CLOSED",
]);

async function encodeBody(req: HttpRequest): Promise<EncodedBody> {
  if (req.json !== undefined) {
    const text = JSON.stringify(req.json);
    return { payload: text, contentType: "application/json", text };
  }
  const body = req.body;
  if (body === undefined) return { payload: undefined, contentType: undefined, text: undefined };
  if (typeof body === "string") return { payload: body, contentType: undefined, text: body };
  if (body instanceof FormData) {
    // Encoded once up front, so every retry re-sends the same bytes and the signer sees them.
    const encoded = new Response(body);
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    return {
      payload: bytes,
      contentType: encoded.headers.get("content-type") ?? undefined,
      text: new TextDecoder().decode(bytes),
    };
  }
  return { payload: body, contentType: undefined, text: new TextDecoder().decode(body) };
}

function decodeBody(bytes: Uint8Array, type: "json" | "text" | "bytes"): unknown {
  if (type === "bytes") return bytes;
  const text = new TextDecoder().decode(bytes);
  if (type === "text") return text;
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
