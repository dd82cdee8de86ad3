/** The SwiftFederation CDN: a deploy target (the account's certificate list, optionally a service and its edge). */
import type { ProviderDefinition } from "../kit/definition.js";
import { cdnCredentialsSchema, cdnSchema, type CdnConfig } from "./config.js";
import { createCdnTarget } from "./index.js";

export const definition = {
  name: "cdn",
  title: "SwiftFederation CDN",
  get credentials() {
    return cdnCredentialsSchema();
  },
  inputs: {
    endpoint: { input: "endpoint" },
    verifyHost: { input: "verify-host" },
    verifyAddress: { input: "verify-address" },
    serviceId: { input: "service-id" },
    // how long a deploy waits for the edge to serve the new certificate (read with the common inputs)
    edgeWaitSeconds: { input: "edge-wait-seconds", kind: "number", for: ["deploy"] },
    accessKeyId: { input: "access-key-id" },
    accessKeySecret: { input: "access-key-secret", secret: true },
  },
  target: {
    schema: cdnSchema,
    create: (entry, credentials, ctx) =>
      createCdnTarget(
        {
          endpoint: entry.endpoint,
          ...(entry.verifyHost ? { verifyHost: entry.verifyHost } : {}),
          // verifyPort alone means the host's own address on that port
          ...(entry.verifyAddress
            ? { verifyAddress: entry.verifyAddress }
            : entry.verifyPort && entry.verifyHost
              ? { verifyAddress: `${entry.verifyHost}:${entry.verifyPort}` }
              : {}),
          ...(entry.serviceId ? { serviceId: entry.serviceId } : {}),
        },
        credentials,
        ctx,
      ),
  },
} satisfies ProviderDefinition<"cdn", CdnConfig, never, ReturnType<typeof cdnCredentialsSchema>>;
