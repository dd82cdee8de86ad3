import type { Deadline } from "../deadline.js";
import type { AwsClientOptions } from "../dns/index.js";
import type { Clock, Logger, Sleep } from "../model.js";
import type { Store } from "../store/index.js";

/** What every vendor client gets from its caller, so time, waits and logs stay injectable. */
export interface ProviderContext {
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  /** extra trusted CA (PEM) for https endpoints, e.g. the sandbox's test CA */
  ca?: string;
  /**
   * How the user of this entry point adds a trusted CA (`--ca-file`, the Action's `ca-certificate`, the Lambda's
   * CERTRELAY_CA_FILE), so a hint about an untrusted chain names the setting this user can set.
   */
  caSetting?: string;
  retry?: { retries?: number; minDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  /** per-request timeout */
  timeoutMs?: number;
  /** keep-alive connections per vendor origin; set it to the caller's concurrency so checks do not queue for sockets */
  connections?: number;
  /** bounded waits for asynchronous vendor work (issuance, DCV); maxWaitMs is wall time, not a count of checks */
  poll: { intervalMs: number; maxWaitMs: number };
  /** the run's time budget; every HTTP attempt, backoff, poll and probe draws on it (none: only the per-wait bounds) */
  deadline?: Deadline | undefined;
  /** the run's store, for issuers that keep what they create themselves (the ACME account key) */
  store?: Store;
  /** AWS SDK options for vendor calls through the AWS SDK (Route53 DNS-01); absent: the SDK's environment */
  aws?: AwsClientOptions;
  /**
   * Set by the provider registry for one run: vendor clients kept per account (endpoint + credentials), so the
   * targets of a fleet share one token and one connection pool per account. Absent: every target has its own.
   */
  sessions?: Map<string, unknown>;
}
