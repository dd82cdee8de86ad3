/** EnOS (Envision IoT): issues a device's certificate and deploys it to that device, so both target and issuer. */
import type { ProviderDefinition } from "../kit/definition.js";
import { enosCredentialsSchema, enosSchema, type EnosConfig } from "./config.js";
import { createEnosIssuer, createEnosTarget, type EnosCredentials, type EnosSettings } from "./index.js";
import { enosOperations } from "./operations.js";

function settingsOf(entry: EnosConfig): EnosSettings {
  return {
    endpoint: entry.endpoint,
    orgId: entry.orgId,
    ...(entry.assetId ? { assetId: entry.assetId } : {}),
    ...(entry.productKey ? { productKey: entry.productKey } : {}),
    ...(entry.deviceKey ? { deviceKey: entry.deviceKey } : {}),
    ...(entry.validDays ? { validDays: entry.validDays } : {}),
    ...(entry.issueAuthority ? { issueAuthority: entry.issueAuthority } : {}),
  };
}

/** An empty key is reported by the device's own check, naming the missing field. */
function credentialsOf(credentials: Partial<EnosCredentials>): EnosCredentials {
  return { appKey: credentials.appKey ?? "", appSecret: credentials.appSecret ?? "" };
}

export const definition = {
  name: "enos",
  title: "EnOS IoT device certificates",
  get credentials() {
    return enosCredentialsSchema();
  },
  inputs: {
    endpoint: { input: "endpoint" },
    orgId: { input: "org-id" },
    assetId: { input: "asset-id" },
    productKey: { input: "product-key" },
    deviceKey: { input: "device-key" },
    validDays: { input: "valid-days", kind: "number", for: ["apply"] },
    issueAuthority: { input: "issue-authority", for: ["apply"] },
    appKey: { input: "app-key" },
    appSecret: { input: "app-secret", secret: true },
  },
  target: {
    schema: enosSchema,
    create: (entry, credentials, ctx) => createEnosTarget(settingsOf(entry), credentialsOf(credentials), ctx),
  },
  issuer: {
    schema: enosSchema,
    create: (entry, credentials, ctx) => createEnosIssuer(settingsOf(entry), credentialsOf(credentials), ctx),
    // createEnosIssuer's rule: the CA named by issueAuthority (default RSA) signs a key of its own type
    keyTypeOf: (entry) => (entry.issueAuthority === "ECC" ? "ecc" : "rsa"),
    keyTypeFix: (entry, wanted) =>
      `the issuer's issueAuthority ${entry.issueAuthority ?? "RSA (the default)"} makes ${wanted === "ecc" ? "RSA" : "EC"} keys: set the issuer's issueAuthority ${wanted === "ecc" ? "ECC" : "RSA"}, or set this keyType ${wanted === "ecc" ? "rsa" : "ecc"}, or remove it`,
  },
  operations: enosOperations,
} satisfies ProviderDefinition<"enos", EnosConfig, EnosConfig, ReturnType<typeof enosCredentialsSchema>>;
