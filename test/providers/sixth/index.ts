/**
 * The sixth provider's definition: everything certrelay needs to know about it, in the shape every built-in vendor
 * folder exports (src/providers/kit/definition.ts). A test passes `[...builtInProviders, definition]` to
 * providerCatalog(); nothing in src/ names it.
 */
import type { ProviderDefinition } from "../../../src/providers/kit/definition.js";
import { vaultCredentialsSchema, vaultSchema, type VaultConfig } from "./config.js";
import { createVaultIssuer, createVaultTarget } from "./vault.js";

export const definition = {
  name: "vault",
  title: "In-memory PKI vault (test-only sixth provider)",
  get credentials() {
    return vaultCredentialsSchema();
  },
  inputs: {
    mount: { input: "vault-mount" },
    ttlDays: { input: "vault-ttl-days", kind: "number" },
    roleId: { input: "vault-role-id" },
    secretId: { input: "vault-secret-id", secret: true },
  },
  target: {
    schema: vaultSchema,
    create: (entry, credentials) => createVaultTarget(entry, credentials),
  },
  issuer: {
    schema: vaultSchema,
    create: (entry, credentials) => createVaultIssuer(entry, credentials),
  },
} satisfies ProviderDefinition<"vault", VaultConfig, VaultConfig, ReturnType<typeof vaultCredentialsSchema>>;
