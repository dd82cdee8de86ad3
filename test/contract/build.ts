/**
 * Builds the vendor object under contract the way a run does: the config entry parsed by the vendor definition's
 * schema (so defaults apply), then the definition's factory with the credentials the entry names.
 */
import { silentLogger, systemClock, type Issuer, type Target } from "../../src/model.js";
import type { ProviderContext } from "../../src/providers/context.js";
import type { AnyProviderDefinition } from "../../src/providers/kit/definition.js";
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

const SECRET_ID = "contract/credentials";

export function buildTarget(
  definition: AnyProviderDefinition,
  entry: Record<string, unknown>,
  credentials: Record<string, string>,
  ctx: ProviderContext,
): Target {
  const role = definition.target;
  if (!role) throw new Error(`${definition.name} has no target role`);
  return role.create(
    role.schema.parse({ provider: definition.name, credentials: SECRET_ID, ...entry }),
    credentials,
    ctx,
  );
}

export function buildIssuer(
  definition: AnyProviderDefinition,
  entry: Record<string, unknown>,
  credentials: Record<string, string>,
  ctx: ProviderContext,
): Issuer {
  const role = definition.issuer;
  if (!role) throw new Error(`${definition.name} has no issuer role`);
  return role.create(
    role.schema.parse({ provider: definition.name, credentials: SECRET_ID, ...entry }),
    credentials,
    ctx,
  );
}
