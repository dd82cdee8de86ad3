/**
 * acme-client (publishlab/node-acme-client) with certrelay's transport rules. acme-client sends everything through
 * one shared axios instance; interceptors scoped to this CA's origin add the trusted CA and the per-request
 * timeout, turn off acme-client's own sleeping retries (a Retry-After of an hour must not hold a Lambda), and turn
 * answers >= 400 into AcmeHttpError with the full problem document and Retry-After before acme-client flattens
 * them into a one-line message. badNonce answers pass through: acme-client retries those itself (RFC 8555 §6.5).
 */
import { Agent } from "node:https";
import type { Client, ClientOptions } from "acme-client";
import type { ProviderContext } from "../context.js";
import { AcmeHttpError, AcmeTransportError, retryAfterMs } from "./errors.js";
import type { AcmeDirectory, AcmeProblem } from "./types.js";

type AcmeModule = typeof import("acme-client");

interface AxiosLikeConfig {
  url?: string;
  httpsAgent?: unknown;
  timeout?: number;
  retryAttempt?: number;
}
interface AxiosLikeResponse {
  status: number;
  headers: Record<string, unknown>;
  data: unknown;
  config: AxiosLikeConfig;
}
interface Interceptors {
  request: { use(onFulfilled: (config: AxiosLikeConfig) => AxiosLikeConfig): number; eject(id: number): void };
  response: { use(onFulfilled: (response: AxiosLikeResponse) => AxiosLikeResponse): number; eject(id: number): void };
}

let loaded: Promise<AcmeModule> | undefined;
/** acme-client loads on first use: most runs renew nothing (cold start). */
export function loadAcmeClient(): Promise<AcmeModule> {
  loaded ??= import("acme-client").then((acme) => {
    passTransportFailures(acme);
    return acme;
  });
  return loaded;
}

const WRAPPED = Symbol("certrelay.transportFailures");
type Rejected = ((error: unknown) => unknown) & { [WRAPPED]?: true };

/**
 * acme-client's own response interceptor (registered when it loads, so it runs before ours) answers an error that
 * carries no response with `validateStatus(undefined)`, which throws "Cannot read properties of undefined (reading
 * 'config')": a dropped connection or a timeout loses what happened. It passes an error without `config` through
 * unchanged, so such failures reach it as AcmeTransportError (no `config`) and come out of acme-client typed. The
 * handler list is axios's InterceptorManager `handlers` (axios 1.x); if it is not there, nothing is changed.
 */
function passTransportFailures(acme: AcmeModule): void {
  const manager = (
    acme.axios as unknown as { interceptors: { response: { handlers?: ({ rejected?: Rejected | null } | null)[] } } }
  ).interceptors.response;
  for (const handler of manager.handlers ?? []) {
    const original = handler?.rejected;
    if (!handler || typeof original !== "function" || original[WRAPPED]) continue;
    const wrapped: Rejected = (error) => original(transportFailure(error) ?? error);
    wrapped[WRAPPED] = true;
    handler.rejected = wrapped;
  }
}

/** An axios error without an HTTP answer, as AcmeTransportError; undefined for anything else. */
function transportFailure(error: unknown): AcmeTransportError | undefined {
  if (
    typeof error !== "object" ||
    error === null ||
    !("isAxiosError" in error) ||
    (error as { response?: unknown }).response !== undefined
  )
    return undefined;
  const e = error as { message?: string; code?: string; config?: AxiosLikeConfig };
  return new AcmeTransportError(e.config?.url ?? "", e.code, e.message ?? "no answer", error);
}

const BAD_NONCE = "urn:ietf:params:acme:error:badNonce";

export class AcmeConnection {
  private readonly origin: string;
  private readonly agent: Agent;
  private ids: { request: number; response: number } | undefined;
  private directoryCache: Promise<AcmeDirectory> | undefined;

  private constructor(
    readonly acme: AcmeModule,
    readonly directoryUrl: string,
    private readonly ctx: ProviderContext,
  ) {
    this.origin = new URL(directoryUrl).origin;
    this.agent = new Agent({ keepAlive: true, ...(ctx.ca ? { ca: ctx.ca } : {}) });
  }

  static async open(directoryUrl: string, ctx: ProviderContext): Promise<AcmeConnection> {
    const connection = new AcmeConnection(await loadAcmeClient(), directoryUrl, ctx);
    connection.install();
    return connection;
  }

  private ours(url: string | undefined): boolean {
    if (!url) return false;
    try {
      return new URL(url).origin === this.origin;
    } catch {
      return false;
    }
  }

  private install(): void {
    const interceptors = (this.acme.axios as unknown as { interceptors: Interceptors }).interceptors;
    const request = interceptors.request.use((config) => {
      if (!this.ours(config.url)) return config;
      config.httpsAgent = this.agent;
      const perRequest = this.ctx.timeoutMs ?? 30_000;
      // never 0: axios reads a zero timeout as "none"
      config.timeout = Math.max(1, this.ctx.deadline ? this.ctx.deadline.cap(perRequest) : perRequest);
      // acme-client retries 429/5xx by sleeping for Retry-After; a count past its limit turns that off for us
      config.retryAttempt = Number.MAX_SAFE_INTEGER - 1;
      return config;
    });
    const response = interceptors.response.use((answer) => {
      if (!this.ours(answer.config.url) || answer.status < 400) return answer;
      const problem = (
        typeof answer.data === "object" && answer.data !== null ? answer.data : { detail: String(answer.data ?? "") }
      ) as AcmeProblem;
      if (problem.type === BAD_NONCE) return answer;
      const header = answer.headers["retry-after"];
      throw new AcmeHttpError(
        answer.status,
        answer.config.url ?? this.directoryUrl,
        problem,
        retryAfterMs(typeof header === "string" ? header : undefined, this.ctx.clock()),
      );
    });
    this.ids = { request, response };
  }

  client(options: Omit<ClientOptions, "directoryUrl">): Client {
    return new this.acme.Client({ directoryUrl: this.directoryUrl, ...options });
  }

  /** The directory, read once per connection (acme-client keeps its own copy; this one has the extension fields). */
  directory(): Promise<AcmeDirectory> {
    this.directoryCache ??= this.get<AcmeDirectory>(this.directoryUrl).then((answer) => answer.data);
    this.directoryCache.catch(() => {
      this.directoryCache = undefined;
    });
    return this.directoryCache;
  }

  /** An unauthenticated GET (directory, RFC 9773 renewalInfo) through the same transport rules. */
  async get<T>(url: string): Promise<{ data: T; retryAfterMs: number | undefined }> {
    const answer = (await this.acme.axios.get(url)) as unknown as AxiosLikeResponse;
    const header = answer.headers["retry-after"];
    return {
      data: answer.data as T,
      retryAfterMs: retryAfterMs(typeof header === "string" ? header : undefined, this.ctx.clock()),
    };
  }

  close(): void {
    if (this.ids) {
      const interceptors = (this.acme.axios as unknown as { interceptors: Interceptors }).interceptors;
      interceptors.request.eject(this.ids.request);
      interceptors.response.eject(this.ids.response);
      this.ids = undefined;
    }
    this.agent.destroy();
  }
}
