/** Any ACME CA (RFC 8555: Let's Encrypt, ZeroSSL, a private step-ca): an issuer over DNS-01. */
import type { ProviderDefinition } from "../kit/definition.js";
import { acmeCredentialsSchema, acmeSchema, type AcmeConfig } from "./config.js";
import { acmeOperations, DNS_NUMBER_SETTINGS } from "./action.js";
import { acmeKeyTypeOf, createAcmeIssuer } from "./index.js";

export const definition = {
  name: "acme",
  title: "ACME CA (Let's Encrypt and others)",
  get credentials() {
    return acmeCredentialsSchema();
  },
  // certrelay writes the account key into the secret itself; EAB keys are issued by the CAs that require them
  credentialsNote: "only for a CA that requires External Account Binding (EAB)",
  inputs: {
    directory: { input: "endpoint" },
    email: { input: "acme-email" },
    acceptTos: { input: "acme-accept-tos", kind: "flag" },
    keyType: { input: "acme-key-type" },
    profile: { input: "acme-profile" },
    dns: { input: "dns-provider" },
    // the DNS provider's settings and secrets in lego's names (Action only; certrelay.yml has them under dns)
    dnsCredentials: {
      input: "dns-credentials",
      kind: "json",
      secret: true,
      publicParameters: [...DNS_NUMBER_SETTINGS],
    },
    eabKid: { input: "acme-eab-kid" },
    eabHmacKey: { input: "acme-eab-hmac-key", secret: true },
    // written into the secret by certrelay on first use; the Action hands it back and takes it as an input
    accountKey: { input: "acme-account-key", secret: true, kind: "pem" },
  },
  issuer: {
    schema: acmeSchema,
    create: (entry, credentials, ctx) => createAcmeIssuer(entry, credentials, ctx),
    keyTypeOf: (entry) => acmeKeyTypeOf(entry.keyType),
    keyTypeFix: (entry, wanted) =>
      `the issuer's keyType ${entry.keyType} makes ${wanted === "ecc" ? "RSA" : "EC"} keys: set the issuer's keyType to ${wanted === "ecc" ? "ec256 or ec384" : "rsa2048 or rsa3072"}, or set this keyType ${wanted === "ecc" ? "rsa" : "ecc"}, or remove it`,
  },
  operations: acmeOperations,
} satisfies ProviderDefinition<"acme", never, AcmeConfig, ReturnType<typeof acmeCredentialsSchema>>;
