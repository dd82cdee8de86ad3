/**
 * The typed request an entry point (the Action, the CLI) hands to an operation, and the one place that maps the
 * flat, user-facing field names (`app-key`, `verify-host`, ...) onto each provider's settings and credentials.
 * Validation reuses the certrelay.yml schemas, so a field means the same thing in a workflow and in a config file;
 * problems are reported by the input name the user typed, never with its value.
 */
import type { z } from "zod";
import { ISSUER_PROVIDERS, issuerSchema, targetSchema, TARGET_PROVIDERS, type IssuerConfig, type TargetConfig } from "../config/index.js";
import { ErrorCodes, InputError } from "../errors.js";
import { allProviderOperations } from "../providers/operations.js";
import type { VendorFields } from "./fields.js";

export type Operation = "deploy" | "apply" | "check";
export const operations: readonly Operation[] = ["deploy", "apply", "check"];

export type { DnsCredentialValue, FieldValue, VendorFields } from "./fields.js";

/** PEM text as the user gave it; parseBundle validates it. */
export interface BundleFields {
  certificate?: string;
  privateKey?: string;
  chain?: string;
}

/** What an apply asks for beyond the vendor fields. */
export interface ApplyFields {
  commonName?: string;
  sans?: string[];
  /** a CSR the user made; without one a fresh key and CSR are generated and the key is returned */
  csr?: string;
  /** with certificate-id: `reissue` reissues that order instead of renewing it (input `reseller-action`) */
  renewalKind?: (typeof RENEWAL_KINDS)[number];
  /** idempotency reference; default derived from the common name and the run */
  reference?: string;
  /** collect an order a previous run left pending instead of placing a new one */
  orderId?: string;
}

export interface OperationRequest {
  operation: Operation;
  vendor: VendorFields;
  bundle: BundleFields;
  apply: ApplyFields;
  dryRun: boolean;
  minDaysLeft: number;
  /** renewal point shown in the summary: min(renewBeforeDays, lifetime/3) before expiry */
  renewBeforeDays: number;
}

/** Config-style field name (schema path) -> the input name a user types. */
const INPUT_NAMES: Record<string, string> = {
  endpoint: "endpoint",
  certificateType: "certificate-type",
  pruneOld: "prune-old",
  orgId: "org-id",
  assetId: "asset-id",
  productKey: "product-key",
  deviceKey: "device-key",
  validDays: "valid-days",
  issueAuthority: "issue-authority",
  verifyHost: "verify-host",
  verifyAddress: "verify-address",
  serviceId: "service-id",
  certificateId: "certificate-id",
  plan: "plan",
  dcvType: "dcv-type",
  approverEmail: "approver-email",
  provider: "provider",
};

/** Stands in for the store secret id the config schema wants; entry points pass credentials directly. */
const INLINE_CREDENTIALS = "inline";

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}

function firstProblem(error: z.ZodError, provider: string): InputError {
  const issue = error.issues[0];
  const key = issue?.path.find((segment): segment is string => typeof segment === "string") ?? "provider";
  const input = INPUT_NAMES[key] ?? key;
  if (issue?.code === "invalid_type" && issue.input === undefined) {
    return new InputError(ErrorCodes.INPUT_MISSING, `input '${input}' is required for provider ${provider}`, { field: input, vendor: provider });
  }
  return new InputError(ErrorCodes.INPUT_INVALID, `Invalid input '${input}' for provider ${provider}: ${issue?.message ?? "invalid"}`, { field: input, vendor: provider });
}

function settingsOf(fields: VendorFields): Record<string, unknown> {
  // every field the user gave; pick() keeps those the provider's schema knows
  return definedOnly({ ...fields, credentials: INLINE_CREDENTIALS });
}

/** Keep only the keys a provider's schema knows, so a reused workflow with extra inputs does not fail. */
function pick(settings: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([k]) => keys.includes(k)));
}

const TARGET_KEYS: Record<string, readonly string[]> = {
  yeastar: ["provider", "endpoint", "credentials", "certificateType", "pruneOld"],
  cdn: ["provider", "endpoint", "credentials", "verifyHost", "verifyAddress", "serviceId"],
  enos: ["provider", "endpoint", "credentials", "orgId", "assetId", "productKey", "deviceKey", "validDays", "issueAuthority"],
};
const ISSUER_KEYS: Record<string, readonly string[]> = {
  reseller: ["provider", "endpoint", "credentials", "certificateId", "plan", "dcvType", "approverEmail"],
  enos: TARGET_KEYS.enos ?? [],
  yeastar: TARGET_KEYS.yeastar ?? [],
};

export function isTargetProvider(provider: string): boolean {
  return (TARGET_PROVIDERS as readonly string[]).includes(provider);
}

/** The target config for these fields; throws InputError naming the input to fix. */
export function targetConfigFor(fields: VendorFields): TargetConfig {
  if (!(TARGET_PROVIDERS as readonly string[]).includes(fields.provider)) {
    throw new InputError(
      ErrorCodes.INPUT_INVALID,
      `input 'provider': ${fields.provider} is not a deploy target (targets: ${TARGET_PROVIDERS.join(", ")}); use operation apply, or check with input 'certificate'`,
      { field: "provider", vendor: fields.provider },
    );
  }
  const parsed = targetSchema.safeParse(pick(settingsOf(fields), TARGET_KEYS[fields.provider] ?? []));
  if (!parsed.success) throw firstProblem(parsed.error, fields.provider);
  return parsed.data;
}

/** The issuer config for these fields (reseller needs a dcv-type; DNS is the default for unattended runs). */
export function issuerConfigFor(fields: VendorFields): IssuerConfig {
  if (!(ISSUER_PROVIDERS as readonly string[]).includes(fields.provider)) {
    throw new InputError(
      ErrorCodes.INPUT_INVALID,
      `input 'provider': ${fields.provider} cannot apply for certificates (issuers: ${ISSUER_PROVIDERS.join(", ")})`,
      { field: "provider", vendor: fields.provider },
    );
  }
  const settings = settingsOf(fields);
  if (fields.provider === "reseller" && settings.dcvType === undefined) settings.dcvType = "DNS";
  const parsed = issuerSchema.safeParse(pick(settings, ISSUER_KEYS[fields.provider] ?? []));
  if (!parsed.success) throw firstProblem(parsed.error, fields.provider);
  return parsed.data;
}

/** Credential key (what the provider factory reads) -> input name, per provider. */
const CREDENTIAL_INPUTS: Readonly<Record<string, readonly (readonly [key: string, input: string, field: string])[]>> = {
  acme: [], // an apply reads its account and EAB keys itself (operations.actionIssuer); nothing here is required
  yeastar: [
    ["username", "username", "username"],
    ["password", "password", "password"],
  ],
  enos: [
    ["appKey", "app-key", "appKey"],
    ["appSecret", "app-secret", "appSecret"],
  ],
  cdn: [
    ["accessKeyId", "access-key-id", "accessKeyId"],
    ["accessKeySecret", "access-key-secret", "accessKeySecret"],
  ],
  reseller: [
    ["username", "username", "username"],
    ["apiKey", "api-key", "apiKey"],
  ],
};

/** The credential fields of a provider and the inputs that carry them (for hints that name what to check). */
export function credentialInputs(provider: string): readonly (readonly [key: string, input: string])[] | undefined {
  return CREDENTIAL_INPUTS[provider]?.map(([key, input]) => [key, input] as const);
}

/** The credentials object the provider factories take; every key is required. */
export function credentialsFor(fields: VendorFields): Record<string, string> {
  const credentials: Record<string, string> = {};
  for (const [key, input, field] of CREDENTIAL_INPUTS[fields.provider] ?? []) {
    let value = fields[field];
    // The reseller's API key is a password in HTTP basic auth; accept it under either input name.
    if ((value === undefined || value === "") && key === "apiKey") value = fields.password;
    if (typeof value !== "string" || value === "") {
      throw new InputError(ErrorCodes.INPUT_MISSING, `input '${input}' is required for provider ${fields.provider}`, { field: input, vendor: fields.provider });
    }
    credentials[key] = value;
  }
  return credentials;
}

/** Input name -> vendor field, for the plain text inputs (entry points read these without knowing vendors). */
export const VENDOR_TEXT_INPUTS = {
  endpoint: "endpoint",
  username: "username",
  password: "password",
  apiKey: "api-key",
  appKey: "app-key",
  appSecret: "app-secret",
  orgId: "org-id",
  assetId: "asset-id",
  productKey: "product-key",
  deviceKey: "device-key",
  accessKeyId: "access-key-id",
  accessKeySecret: "access-key-secret",
  certificateType: "certificate-type",
  verifyHost: "verify-host",
  verifyAddress: "verify-address",
  serviceId: "service-id",
  dnsProvider: "dns-provider",
  issueAuthority: "issue-authority",
  certificateId: "certificate-id",
  plan: "plan",
  dcvType: "dcv-type",
  approverEmail: "approver-email",
  acmeEmail: "acme-email",
  acmeEabKid: "acme-eab-kid",
  acmeKeyType: "acme-key-type",
  acmeProfile: "acme-profile",
} as const satisfies Record<string, string>;

/** The input that picks renew or reissue of an existing order, and its values. */
export const RENEWAL_KIND_INPUT = "reseller-action";
export const RENEWAL_KINDS = ["renew", "reissue"] as const;

/** Names of the inputs that hold secrets: entry points mask these before anything is printed. */
export const SECRET_INPUTS: readonly string[] = ["private-key", "password", "api-key", "app-secret", "access-key-secret", "dns-credentials", "acme-account-key", "acme-eab-hmac-key"];

/** Parameters of a JSON secret input whose values are never secrets (for any provider): masking skips them. */
export function publicParametersOf(input: string): ReadonlySet<string> {
  return new Set(allProviderOperations().flatMap((ops) => ops.publicParameters?.[input] ?? []));
}

/** The outputs a vendor may set with a secret it made during the run (action.yml declares them). */
export const SECRET_OUTPUTS: readonly string[] = [...new Set(allProviderOperations().flatMap((ops) => ops.secretOutputs ?? []))];
