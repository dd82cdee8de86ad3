/**
 * Each vendor's additions to the entry points' operations, by provider name.
 * TODO(#13): read from the definitions in src/providers/index.ts once they carry `operations`.
 */
import { acmeOperations } from "./acme/action.js";
import { enosOperations } from "./enos/operations.js";
import type { ProviderOperations } from "./kit/operations.js";
import { resellerOperations } from "./reseller/operations.js";
import { yeastarOperations } from "./yeastar/operations.js";

const BY_NAME: Readonly<Record<string, ProviderOperations>> = { acme: acmeOperations, enos: enosOperations, reseller: resellerOperations, yeastar: yeastarOperations };

/** A vendor's operation hooks; none for a vendor that adds nothing. */
export function providerOperations(provider: string): ProviderOperations {
  return BY_NAME[provider] ?? {};
}

/** Every vendor's hooks, for what entry points derive before a provider is known (outputs, masking). */
export function allProviderOperations(): readonly ProviderOperations[] {
  return Object.values(BY_NAME);
}

/** The providers that have this hook, for messages that say where an operation applies. */
export function providersWithOperation(hook: keyof ProviderOperations): string[] {
  return Object.entries(BY_NAME)
    .filter(([, ops]) => ops[hook] !== undefined)
    .map(([name]) => name);
}
