/**
 * DNS providers by lego flag name. A new provider is a file beside route53.ts, a schema here and a line in the
 * union; the ACME issuer only ever sees DnsChallengeProvider.
 */
import * as z from "zod/mini";
import "../zod-locale.js";
import { HttpreqProvider } from "./httpreq.js";
import { Route53Provider } from "./route53.js";
import type { DnsChallengeProvider, DnsProviderDeps } from "./types.js";

const seconds = (what: string, max: number) =>
  z
    .number({ error: `expected ${what} in whole seconds` })
    .check(
      z.int(),
      z.minimum(1, { error: `expected ${what} in whole seconds (at least 1)` }),
      z.maximum(max, { error: `expected ${what} of at most ${max} seconds` }),
    );

/**
 * The schemas are built on the first parse, not when a bundle starts: only an ACME issuer has a `dns` block, and
 * zod's checks with their messages cost every start of the Action ~2 ms (CPU profile of the built bundle).
 */
const dnsSchemas = (() => {
  let built: ReturnType<typeof buildDnsSchemas> | undefined;
  return () => (built ??= buildDnsSchemas());
})();

function buildDnsSchemas() {
  /** lego's route53 options under their lego names (AWS_HOSTED_ZONE_ID -> hostedZoneId, AWS_TTL -> ttl, ...). */
  const route53Schema = z.strictObject({
    provider: z.literal("route53"),
    hostedZoneId: z.optional(
      z.string({ error: "expected a hosted zone id like Z0123456789ABCDEFGHIJ" }).check(
        z.regex(/^(\/?hostedzone\/)?[A-Z0-9]{1,32}$/, {
          error: "expected a hosted zone id like Z0123456789ABCDEFGHIJ",
        }),
      ),
    ),
    ttl: z.optional(seconds("a TTL", 86_400)),
    propagationTimeout: z.optional(seconds("a propagation timeout", 3_600)),
    pollingInterval: z.optional(seconds("a polling interval", 600)),
    maxRetries: z.optional(
      z.number({ error: "expected a whole number of attempts" }).check(z.int(), z.minimum(1), z.maximum(20)),
    ),
  });
  /** lego's httpreq options (HTTPREQ_ENDPOINT, HTTPREQ_PROPAGATION_TIMEOUT, HTTPREQ_POLLING_INTERVAL). */
  const httpreqSchema = z.strictObject({
    provider: z.literal("httpreq"),
    endpoint: z.url({
      protocol: /^https?$/,
      error: "expected the URL of your httpreq endpoint, like https://dns-hook.example.com",
    }),
    propagationTimeout: z.optional(seconds("a propagation timeout", 3_600)),
    pollingInterval: z.optional(seconds("a polling interval", 600)),
  });
  return z.discriminatedUnion("provider", [route53Schema, httpreqSchema], {
    error: `expected dns.provider: ${DNS_PROVIDERS.join(" or ")} (lego's flag names)`,
  });
}

export const DNS_PROVIDERS = ["route53", "httpreq"] as const;
export const dnsProviderSchema = z.lazy(dnsSchemas);
export type DnsProviderConfig = z.output<typeof dnsProviderSchema>;

export function createDnsProvider(config: DnsProviderConfig, deps: DnsProviderDeps): DnsChallengeProvider {
  switch (config.provider) {
    case "route53": {
      const { provider: _provider, ...settings } = config;
      return new Route53Provider(settings, deps);
    }
    case "httpreq": {
      const { provider: _provider, ...settings } = config;
      return new HttpreqProvider(settings, deps);
    }
  }
}
