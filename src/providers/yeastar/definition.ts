/** The Yeastar P-Series PBX: a deploy target; it can also apply for its own certificate, but never as an issuer. */
import type { ProviderDefinition } from "../kit/definition.js";
import { yeastarCredentialsSchema, yeastarSchema, type YeastarConfig } from "./config.js";
import { createYeastarTarget } from "./index.js";
import { yeastarOperations } from "./operations.js";

export const definition = {
  name: "yeastar",
  title: "Yeastar P-Series PBX",
  get credentials() {
    return yeastarCredentialsSchema();
  },
  inputs: {
    endpoint: { input: "endpoint" },
    certificateType: { input: "certificate-type", for: ["deploy", "check"] },
    pruneOld: { input: "prune-old", kind: "flag" },
    // the PBX's own apply validates the domain over DNS (Action only)
    dnsProvider: { input: "dns-provider", for: ["apply"] },
    dnsCredentials: { input: "dns-credentials", kind: "json", secret: true, for: ["apply"] },
    username: { input: "username" },
    password: { input: "password", secret: true },
  },
  target: {
    schema: yeastarSchema,
    create: (entry, credentials, ctx, sessions) =>
      createYeastarTarget(
        { endpoint: entry.endpoint, certificateType: entry.certificateType, pruneOld: entry.pruneOld },
        credentials,
        ctx,
        sessions,
      ),
  },
  operations: yeastarOperations,
  // The PBX keeps the key of a certificate it applies for, so nothing could be stored or deployed elsewhere.
  notAnIssuer:
    "a PBX-applied certificate never leaves the PBX. Use the Action's `operation: apply` with provider yeastar, or issue through reseller/enos and list the PBX as a target",
} satisfies ProviderDefinition<"yeastar", YeastarConfig, never, ReturnType<typeof yeastarCredentialsSchema>>;
