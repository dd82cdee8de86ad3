import type { Deadline } from "../deadline.js";
import type { Clock, Logger, Sleep } from "../model.js";

/** What every vendor client gets from its caller, so time, waits and logs stay injectable. */
export interface ProviderContext {
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  /** extra trusted CA (PEM) for https endpoints, e.g. the sandbox's test CA */
  ca?: string;
  retry?: { retries?: number; minDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  /** per-request timeout */
  timeoutMs?: number;
  /** keep-alive connections per vendor origin; set it to the caller's concurrency so checks do not queue for sockets */
  connections?: number;
  /** bounded waits for asynchronous vendor work (issuance, DCV); maxWaitMs is wall time, not a count of checks */
  poll: { intervalMs: number; maxWaitMs: number };
  /** the run's time budget; every HTTP attempt, backoff, poll and probe draws on it (none: only the per-wait bounds) */
  deadline?: Deadline | undefined;
}
