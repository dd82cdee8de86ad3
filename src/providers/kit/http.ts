/**
 * One way to build a vendor's HTTP client, over `src/http`: the base URL, the signing hook, the secrets to redact and
 * the retry policy come from one place, and the run's context (clock, sleep, deadline, timeout, extra CA, pool size,
 * logger) is wired the same for every vendor.
 *
 * The retry policy is the HTTP client's, the same for every vendor: a request that cannot act twice (GET, PUT,
 * DELETE, or one marked `idempotent`) is retried on 429/5xx, timeouts and dropped connections while the run's
 * deadline leaves time; a POST is never retried blind (only when the connection was never made). A write whose
 * answer was lost is looked up instead (`./landed.ts`).
 */
import { HttpClient, type HttpClientOptions, type HttpRequest, type HttpResponse } from "../../http/index.js";
import type { ProviderContext } from "../context.js";

export interface VendorHttpOptions {
  /** for errors and logs: "cdn" */
  vendor: string;
  /** API base URL; may carry a path prefix */
  baseUrl: string;
  ctx: ProviderContext;
  userAgent?: string | undefined;
  /** sent on every request (basic auth, a content type the vendor wants even on GET) */
  headers?: Record<string, string>;
  /** values redacted from every error and log line this client produces (keys, passwords, auth headers) */
  secrets?: (string | undefined)[];
  /**
   * Signs one attempt (EnOS apim signature, SwiftFederation HMAC): called on every attempt, retries included, because
   * signatures carry timestamps and nonces; returns headers to add.
   */
  sign?: HttpClientOptions["sign"];
  /** vendor answers -> certrelay errors naming the fix, for `call` */
  mapError?: (error: unknown, operation: string) => unknown;
}

/**
 * A session credential (Yeastar access token, EnOS APIM token): taken once per request before it is sent (every
 * retry of that request carries the same one); a request the vendor refused for a stale credential did nothing
 * there, so it is sent once more with a fresh credential.
 */
export interface Session<R> {
  credential(): Promise<string>;
  /** this answer refuses the credential (expired or revoked), not the request */
  refused(res: HttpResponse<R>): boolean;
  /** drop or renew the refused credential, so the next `credential()` is fresh */
  renew(refused: string, res: HttpResponse<R>): Promise<void> | void;
}

export class VendorHttp {
  private readonly http: HttpClient;

  constructor(private readonly options: VendorHttpOptions) {
    const { ctx, vendor } = options;
    this.http = new HttpClient({
      baseUrl: options.baseUrl,
      vendor,
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      ...(options.headers ? { defaultHeaders: options.headers } : {}),
      ...(options.sign ? { sign: options.sign } : {}),
      sleep: ctx.sleep,
      clock: ctx.clock,
      deadline: ctx.deadline,
      ...(ctx.retry ? { retry: ctx.retry } : {}),
      ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
      ...(ctx.ca ? { ca: ctx.ca } : {}),
      ...(ctx.connections ? { connections: ctx.connections } : {}),
      onRetry: (info) => ctx.logger.debug(`${vendor} request retried`, { ...info }),
    });
    for (const secret of options.secrets ?? []) this.http.addSecret(secret);
  }

  /** A value learnt during the run (a token) that must never appear in an error or a log line. */
  addSecret(value: string | undefined): void {
    this.http.addSecret(value);
  }

  /** One request; the HTTP client's errors as they are. */
  request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    return this.http.request<T>(req);
  }

  /** One request's body; a failure becomes the vendor's error for `operation` ("read the certificate order"). */
  async call<T>(operation: string, req: HttpRequest): Promise<T> {
    try {
      return (await this.http.request<T>(req)).body;
    } catch (error) {
      throw this.options.mapError ? this.options.mapError(error, operation) : error;
    }
  }

  /**
   * A request under a session credential: `build` puts the credential on it. Refused once, the credential is renewed
   * and the request sent again; refused twice, the refusal is returned for the vendor to explain.
   */
  async withSession<T>(session: Session<T>, build: (credential: string) => HttpRequest): Promise<HttpResponse<T>> {
    for (let round = 1; ; round++) {
      const credential = await session.credential();
      const res = await this.http.request<T>(build(credential));
      if (round > 1 || !session.refused(res)) return res;
      await session.renew(credential, res);
    }
  }

  /** Releases the connections; safe to call twice (the pool reopens on a later request). */
  close(): Promise<void> {
    return this.http.close();
  }
}
