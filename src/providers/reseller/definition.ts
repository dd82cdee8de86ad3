/** The certificate reseller API: an issuer (buys, renews or reissues a certificate order). */
import type { ProviderDefinition } from "../kit/definition.js";
import { resellerCredentialsSchema, resellerSchema, type ResellerConfig } from "./config.js";
import { createResellerIssuer } from "./index.js";
import { resellerOperations } from "./operations.js";

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
    // an unattended run cannot answer an approval e-mail or host a file: DNS unless told otherwise
    dcvType: { input: "dcv-type", actionDefault: "DNS" },
    // with certificate-id: reissue that order (new key, no purchase) instead of renewing it (Action only)
    renewalKind: { input: "reseller-action", choices: ["renew", "reissue"] },
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
    // the reseller's products are RSA certificates (createResellerIssuer's keyType)
    keyTypeOf: () => "rsa",
    keyTypeFix: () => "the reseller issues RSA certificates only: set keyType rsa or remove it",
  },
  operations: resellerOperations,
} satisfies ProviderDefinition<"reseller", never, ResellerConfig, ReturnType<typeof resellerCredentialsSchema>>;
