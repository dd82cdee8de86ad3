import type { Deadline } from "../deadline.js";
import type { Clock, Logger, Sleep } from "../model.js";

/**
 * A DNS-01 challenge provider, shaped like lego's `challenge.Provider` + `challenge.ProviderTimeout`
 * (go-acme/lego providers/dns/<name>): `present` publishes the TXT record for one domain's key authorization,
 * `cleanUp` removes exactly that value again, and `timeout` says how long a record may take to become visible and
 * how often to look. Provider names are lego's `--dns` flag values, so a user who knows lego (or Yeastar's
 * `dns_provider`) knows what to write.
 */
export interface DnsChallengeProvider {
  /** lego's flag name, e.g. `route53` */
  readonly name: string;
  /** Publish `_acme-challenge.<domain>` = base64url(SHA-256(keyAuth)) and return once the provider says it is live. */
  present(domain: string, token: string, keyAuth: string): Promise<void>;
  /** Remove the value `present` wrote (other values at the same name stay: a wildcard and its apex share one). */
  cleanUp(domain: string, token: string, keyAuth: string): Promise<void>;
  /** lego's ProviderTimeout: how long to wait for propagation, and the polling interval. */
  timeout(): { timeoutMs: number; intervalMs: number };
  close(): Promise<void>;
}

/** What a DNS provider gets from the issuer: injectable time and logs, the run's deadline, transport options. */
export interface DnsProviderDeps {
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  deadline?: Deadline;
  /** AWS SDK options (route53); absent: the SDK's environment */
  aws?: AwsClientOptions;
  /** extra trusted CA (PEM) for https DNS APIs (httpreq) */
  ca?: string;
  timeoutMs?: number;
  /** the issuer's credentials secret, for DNS APIs that need their own (httpreq: httpreqUsername, httpreqPassword) */
  secrets?: Record<string, string>;
}

/** AWS SDK client options, injected so tests point Route53 at moto; production takes them from the environment. */
export interface AwsClientOptions {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}
