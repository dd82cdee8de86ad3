export { HttpClient } from "./client.js";
export type { HttpClientOptions, HttpMethod, HttpRequest, HttpResponse, RetryInfo, SignableRequest } from "./client.js";
export { HttpStatusError } from "./errors.js";
export { redact, redactValue, REDACTED } from "./redact.js";
export { backoffDelay, defaultRetryPolicy, parseRetryAfter } from "./retry.js";
export type { RetryPolicy } from "./retry.js";
