import { STATUS_CODES } from "node:http";
import { CertrelayError, type CertrelayErrorOptions, type ErrorCode, ErrorCodes } from "../errors.js";

/**
 * A vendor answered with a status the caller did not accept, after any retries. Shaped like ky's HTTPError:
 * `Request failed with status code 503 Service Unavailable: POST https://host/path`. `url`, `message` and `body`
 * are already redacted.
 */
export class HttpStatusError extends CertrelayError {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  readonly attempts: number;
  /** what the vendor's Retry-After asked for, when it sent one */
  readonly retryAfterMs: number | undefined;
  readonly retryAt: Date | undefined;

  constructor(
    init: {
      status: number;
      method: string;
      url: string;
      body: unknown;
      headers: Record<string, string>;
      attempts: number;
      vendor: string;
      code?: ErrorCode;
      detail?: string;
      retryAfterMs?: number;
      retryAt?: Date;
    },
    options: Pick<CertrelayErrorOptions, "cause"> = {},
  ) {
    const code = init.code ?? (init.status === 429 ? ErrorCodes.RATE_LIMITED : ErrorCodes.HTTP_ERROR);
    super(code, `${statusLine(init.status, init.method, init.url)}${init.detail ? `; ${init.detail}` : ""}`, {
      ...options,
      vendor: init.vendor,
      status: init.status,
    });
    this.name = "HttpStatusError";
    this.method = init.method;
    this.url = init.url;
    this.body = init.body;
    this.headers = init.headers;
    this.attempts = init.attempts;
    this.retryAfterMs = init.retryAfterMs;
    this.retryAt = init.retryAt;
  }

  override toJSON(): ReturnType<CertrelayError["toJSON"]> & {
    status: number | undefined;
    method: string;
    url: string;
  } {
    return { ...super.toJSON(), status: this.status, method: this.method, url: this.url };
  }
}

export function statusLine(status: number, method: string, url: string): string {
  const text = STATUS_CODES[status];
  return `Request failed with status code ${status}${text ? ` ${text}` : ""}: ${method} ${url}`;
}
