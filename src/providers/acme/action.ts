/**
 * The Action's `operation: apply` with `provider: acme`. The pipeline keeps the ACME account key in its store; a
 * workflow has no store, so here the inputs are the store: the account key comes from input `acme-account-key` (a
 * repository secret), and a key the issuer creates on first use is handed back through `onSecretOutput` (the
 * Action masks it and returns it as output `acme-account-key`, to be saved as that secret). Everything else is the same issuer the
 * pipeline runs: DNS-01 through a lego-shaped provider, TXT records removed whatever happens, the CA's problem
 * document on a failed validation.
 */
import { createPrivateKey } from "node:crypto";
import { DNS_PROVIDERS } from "../../dns/index.js";
import { CertrelayError, ErrorCodes, isCertrelayError, isInputError } from "../../errors.js";
import {
  flagField,
  objectField,
  textField,
  type DnsCredentialValue,
  type VendorFields,
} from "../../operations/fields.js";
import type { OperationDeps } from "../../operations/types.js";
import type { Store } from "../../store/index.js";
import type { ActionIssuer, ProviderOperations } from "../kit/operations.js";
import { acmeSchema } from "./config.js";

/** The issuer's name for the one credentials "secret" an Action run has (it never leaves this process). */
const ACTION_SECRET_ID = "action-inputs";

/**
 * DNS provider settings in input `dns-credentials`, under lego's environment variable names (what a lego user
 * already has) or the certrelay.yml names. Values that are secrets go to the issuer's credentials, not the config.
 */
const DNS_SETTING_KEYS: Record<string, { key: string; secret?: true; number?: true }> = {
  AWS_HOSTED_ZONE_ID: { key: "hostedZoneId" },
  AWS_TTL: { key: "ttl", number: true },
  AWS_PROPAGATION_TIMEOUT: { key: "propagationTimeout", number: true },
  AWS_POLLING_INTERVAL: { key: "pollingInterval", number: true },
  AWS_MAX_RETRIES: { key: "maxRetries", number: true },
  HTTPREQ_ENDPOINT: { key: "endpoint" },
  HTTPREQ_PROPAGATION_TIMEOUT: { key: "propagationTimeout", number: true },
  HTTPREQ_POLLING_INTERVAL: { key: "pollingInterval", number: true },
  HTTPREQ_USERNAME: { key: "httpreqUsername", secret: true },
  HTTPREQ_PASSWORD: { key: "httpreqPassword", secret: true },
  hostedZoneId: { key: "hostedZoneId" },
  ttl: { key: "ttl", number: true },
  propagationTimeout: { key: "propagationTimeout", number: true },
  pollingInterval: { key: "pollingInterval", number: true },
  maxRetries: { key: "maxRetries", number: true },
  endpoint: { key: "endpoint" },
  httpreqUsername: { key: "httpreqUsername", secret: true },
  httpreqPassword: { key: "httpreqPassword", secret: true },
};

/** `dns-credentials` keys whose values are plain numbers, never secrets (masking "60" would blank every 60 in the log). */
export const DNS_NUMBER_SETTINGS: ReadonlySet<string> = new Set(
  Object.entries(DNS_SETTING_KEYS)
    .filter(([, v]) => v.number)
    .map(([k]) => k),
);

/** Schema path (under the acme issuer) -> the input a workflow author changes. */
const ACME_INPUTS: Record<string, string> = {
  directory: "endpoint",
  email: "acme-email",
  acceptTos: "acme-accept-tos",
  keyType: "acme-key-type",
  profile: "acme-profile",
  dns: "dns-provider",
};

function dnsSettings(fields: VendorFields): { dns: Record<string, unknown>; secrets: Record<string, string> } {
  const provider = textField(fields, "dns")?.trim().toLowerCase();
  if (!provider) {
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      `input 'dns-provider' is required for provider acme: the DNS where the DNS-01 TXT records go (${DNS_PROVIDERS.join(" or ")}, lego's names)`,
      { field: "dns-provider", vendor: "acme" },
    );
  }
  if (!(DNS_PROVIDERS as readonly string[]).includes(provider)) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `Invalid input 'dns-provider' for provider acme: expected ${DNS_PROVIDERS.join(" or ")} (lego's names)`,
      { field: "dns-provider", vendor: "acme" },
    );
  }
  const dns: Record<string, unknown> = { provider };
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(objectField(fields, "dnsCredentials") ?? {})) {
    const setting = DNS_SETTING_KEYS[name];
    if (!setting) {
      throw new CertrelayError(
        ErrorCodes.INPUT_INVALID,
        `Invalid input 'dns-credentials' for provider acme: unknown parameter ${name} (route53 takes AWS_HOSTED_ZONE_ID, AWS_TTL, AWS_PROPAGATION_TIMEOUT, AWS_POLLING_INTERVAL and the runner's AWS credentials; httpreq takes HTTPREQ_ENDPOINT, HTTPREQ_USERNAME, HTTPREQ_PASSWORD, HTTPREQ_PROPAGATION_TIMEOUT, HTTPREQ_POLLING_INTERVAL)`,
        { field: "dns-credentials", vendor: "acme" },
      );
    }
    if (setting.secret) secrets[setting.key] = String(value);
    else
      dns[setting.key] =
        setting.number && typeof value === "string" && /^\d+$/.test(value.trim())
          ? Number(value)
          : (value as DnsCredentialValue);
  }
  return { dns, secrets };
}

function checkAccountKey(pem: string): void {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "ec" && key.asymmetricKeyType !== "rsa") throw new Error("unsupported key type");
  } catch {
    // the key's text is never repeated, only which input holds something unusable
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      "Invalid input 'acme-account-key': expected the PEM private key an earlier run returned as output acme-account-key (an EC or RSA key)",
      { field: "acme-account-key", vendor: "acme" },
    );
  }
}

/** The output that hands a new account's key back, and what the user does with it. */
const ACCOUNT_KEY_OUTPUT = "acme-account-key";
const ACCOUNT_KEY_NOTICE =
  "a new ACME account was created for this run: save the output acme-account-key as a repository secret and pass it as input acme-account-key, or every run creates another account at the CA";

/**
 * The acme issuer config, credentials and input-backed store for an Action apply; InputErrors name the input. The
 * store stands in for the pipeline's: it reads the inputs, and reports an account key the issuer creates.
 */
export function acmeIssuerFor(
  fields: VendorFields,
  deps: Pick<OperationDeps, "onSecretOutput">,
): ActionIssuer & { store: Store } {
  const { dns, secrets } = dnsSettings(fields);
  const acmeEmail = textField(fields, "email");
  const acmeKeyType = textField(fields, "keyType");
  const acmeProfile = textField(fields, "profile");
  const acmeAccountKey = textField(fields, "accountKey");
  const acmeEabKid = textField(fields, "eabKid");
  const acmeEabHmacKey = textField(fields, "eabHmacKey");
  const parsed = acmeSchema.safeParse({
    provider: "acme",
    directory: fields.endpoint,
    credentials: ACTION_SECRET_ID,
    ...(acmeEmail ? { email: acmeEmail } : {}),
    acceptTos: flagField(fields, "acceptTos") ?? false,
    ...(acmeKeyType ? { keyType: acmeKeyType.toLowerCase() } : {}),
    ...(acmeProfile ? { profile: acmeProfile } : {}),
    dns,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [head, sub] = (issue?.path ?? []).filter((segment): segment is string => typeof segment === "string");
    // a problem inside the DNS settings is about a dns-credentials parameter; name it (never its value)
    const input = head === "dns" && sub !== undefined ? "dns-credentials" : (ACME_INPUTS[head ?? ""] ?? "provider");
    const what = head === "dns" && sub !== undefined ? ` (parameter ${sub})` : "";
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `Invalid input '${input}' for provider acme${what}: ${issue?.message ?? "invalid"}`,
      { field: input, vendor: "acme" },
    );
  }
  if (acmeAccountKey) checkAccountKey(acmeAccountKey);
  if (Boolean(acmeEabKid) !== Boolean(acmeEabHmacKey)) {
    const missing = acmeEabKid ? "acme-eab-hmac-key" : "acme-eab-kid";
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      `input '${missing}' is required with the other External Account Binding input: the CA gives both (key id and HMAC key)`,
      { field: missing, vendor: "acme" },
    );
  }
  const credentials: Record<string, string> = {
    ...secrets,
    ...(acmeAccountKey ? { accountKey: acmeAccountKey } : {}),
    ...(acmeEabKid ? { eabKid: acmeEabKid } : {}),
    ...(acmeEabHmacKey ? { eabHmacKey: acmeEabHmacKey } : {}),
  };
  let held = { ...credentials };
  let reported = false;
  const notHere = (): never => {
    throw new Error("certrelay bug: an Action apply has no certificate store");
  };
  // Only the credentials calls (and their lease) are ever made by the issuer (its account); the rest is the pipeline's.
  const store: Store = {
    kind: "file",
    getCredentials: async () => ({ ...held }),
    putCredentials: async (_secretId, next) => {
      held = { ...next };
      // reported once the CA registered it (the issuer writes the key first, then the account URL): a key whose
      // registration failed belongs to no account and is not worth saving
      if (!reported && next.accountKey && next.accountUrl && next.accountKey !== acmeAccountKey) {
        reported = true;
        deps.onSecretOutput?.({
          output: ACCOUNT_KEY_OUTPUT,
          value: next.accountKey,
          notice: ACCOUNT_KEY_NOTICE,
          title: "certrelay new ACME account",
        });
      }
    },
    getCurrent: notHere,
    getPending: notHere,
    putPending: notHere,
    promote: notHere,
    clearPending: notHere,
    putCurrent: notHere,
    // the account is held in this step's memory only: no other run can write it, so its lease is always free
    acquireLease: async (_secretId, request) => ({
      acquired: true,
      lease: { owner: request.owner, release: async () => undefined },
    }),
    list: notHere,
  };
  return { config: parsed.data, credentials, store };
}

/**
 * The issuer's messages speak certrelay.yml (`issuer acceptTos`, the credentials secret); a workflow author changes
 * inputs. Same code, same cause, the input named instead.
 */
export function inActionTerms(error: unknown): unknown {
  if (!isCertrelayError(error) || !isInputError(error)) return error;
  const field = error.field;
  const rewrites: Record<string, { input: string; message: (m: string) => string }> = {
    "issuer.acceptTos": {
      input: "acme-accept-tos",
      message: (m) => m.replace(/set issuer acceptTos: true/, "set input 'acme-accept-tos' to true"),
    },
    "issuer.profile": {
      input: "acme-profile",
      message: (m) =>
        m
          .replace(/issuer profile '/, "input 'acme-profile' '")
          .replace(/; remove it$/, "; remove input 'acme-profile'"),
    },
    eabKid: {
      input: "acme-eab-kid",
      message: (m) =>
        m.replace(
          /put eabKid and eabHmacKey from the CA into \S+/,
          "set inputs 'acme-eab-kid' and 'acme-eab-hmac-key' from the CA (store the HMAC key as a secret)",
        ),
    },
    eabHmacKey: {
      input: "acme-eab-hmac-key",
      message: () =>
        "input 'acme-eab-hmac-key' is required with input 'acme-eab-kid' (External Account Binding from the CA)",
    },
  };
  const rewrite = field ? rewrites[field] : undefined;
  if (!rewrite) return error;
  return new CertrelayError(error.code, rewrite.message(error.message), {
    field: rewrite.input,
    vendor: "acme",
    cause: error,
  });
}

export const acmeOperations: ProviderOperations = {
  actionIssuer: acmeIssuerFor,
  inActionTerms,
  secretOutputs: [ACCOUNT_KEY_OUTPUT],
};
