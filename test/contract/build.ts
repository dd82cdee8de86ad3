/**
 * Builds the vendor object under contract the way a run does: the config entry parsed by the config schema (so
 * defaults apply), then the vendor's factory with the credentials the entry names.
 */
import { issuerSchema, targetSchema } from "../../src/config/schema.js";
import { silentLogger, systemClock, type Issuer, type Target } from "../../src/model.js";
import type { ProviderContext } from "../../src/providers/context.js";
import { createIssuer, createTarget } from "../../src/providers/registry.js";
import type { Store } from "../../src/store/index.js";

/** Real time (Pebble signs with the wall clock), no waits between retries, bounded polls. */
export function contractContext(trust: string, store?: Store): ProviderContext {
  return {
    clock: systemClock,
    sleep: async () => {},
    logger: silentLogger,
    ca: trust,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 },
    timeoutMs: 10_000,
    // Pebble validates asynchronously: polls sleep for real there (see the ACME subject), elsewhere they never wait
    poll: { intervalMs: 25, maxWaitMs: 20_000 },
    ...(store ? { store } : {}),
  };
}

export function buildTarget(entry: Record<string, unknown>, credentials: Record<string, string>, ctx: ProviderContext): Target {
  return createTarget(targetSchema.parse({ credentials: "contract/credentials", ...entry }), credentials, ctx);
}

export function buildIssuer(entry: Record<string, unknown>, credentials: Record<string, string>, ctx: ProviderContext): Issuer {
  return createIssuer(issuerSchema.parse({ credentials: "contract/credentials", ...entry }), credentials, ctx);
}
