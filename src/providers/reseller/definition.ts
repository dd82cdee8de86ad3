/** The certificate reseller API: an issuer (buys, renews or reissues a certificate order). */
import type { ProviderDefinition } from "../kit/definition.js";
import { resellerCredentialsSchema, resellerSchema, type ResellerConfig } from "./config.js";
import { createResellerIssuer } from "./index.js";

export const definition = {
  name: "reseller",
  title: "Certificate reseller API",
  get credentials() {
    return resellerCredentialsSchema();
  },
  inputs: {
    endpoint: { input: "endpoint" },
    certificateId: { input: "certificate-id" },
    plan: { input: "plan" },
    dcvType: { input: "dcv-type" },
    approverEmail: { input: "approver-email" },
    username: { input: "username" },
    // the API key is the password of HTTP basic auth, so it is accepted under `password` too
    apiKey: { input: "api-key", secret: true, aliases: ["password"] },
  },
  issuer: {
    schema: resellerSchema,
    create: (entry, credentials, ctx) =>
      createResellerIssuer(
        {
          endpoint: entry.endpoint,
          dcvType: entry.dcvType,
          ...(entry.plan ? { plan: entry.plan } : {}),
          ...(entry.certificateId ? { certificateId: entry.certificateId } : {}),
          ...(entry.approverEmail ? { approverEmail: entry.approverEmail } : {}),
        },
        credentials,
        ctx,
      ),
  },
} satisfies ProviderDefinition<"reseller", never, ResellerConfig, ReturnType<typeof resellerCredentialsSchema>>;
