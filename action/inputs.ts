/**
 * The Action's one input helper: raw `INPUT_*` strings in, a typed, validated settings object out. Generic checks
 * (choices, numbers, booleans, JSON) happen here; what each provider needs is checked by the operations layer,
 * which knows the vendors. Every message names the input to fix and never repeats its value.
 */
import * as core from "@actions/core";
import { ErrorCodes, InputError } from "../src/errors.js";
import { providerNames, type ProviderName } from "../src/model.js";
import {
  deployTakes,
  operations,
  publicParametersOf,
  RENEWAL_KIND_INPUT,
  RENEWAL_KINDS,
  SECRET_INPUTS,
  VENDOR_TEXT_INPUTS,
  type ConfigRunRequest,
  type DnsCredentialValue,
  type Operation,
  type OperationRequest,
  type VendorFields,
} from "../src/operations/index.js";

export interface ActionSettings {
  /** one endpoint from inputs, or a certrelay.yml over many */
  run: { kind: "single"; request: OperationRequest } | { kind: "config"; config: ConfigRunRequest };
  operation: Operation;
  /** PEM of a private CA the endpoints use */
  caCertificate?: string;
  /** bound on waiting for asynchronous issuance */
  waitSeconds: number;
  /** cdn deploy with service-id: bound on waiting for the edge to serve the new certificate */
  edgeWaitSeconds: number;
  /** inputs that were given but that this provider and operation do not use (each one a warning) */
  unused: ActionInput[];
}

const CREDENTIALS: Record<ProviderName, readonly ActionInput[]> = {
  yeastar: ["username", "password"],
  enos: ["app-key", "app-secret"],
  cdn: ["access-key-id", "access-key-secret"],
  // the reseller's API key is accepted under `password` too
  reseller: ["username", "api-key", "password"],
  // an issuer only: its account and EAB keys are apply settings (APPLY_SETTINGS)
  acme: [],
};
const TARGET_SETTINGS: Partial<Record<ProviderName, readonly ActionInput[]>> = {
  yeastar: ["certificate-type", "prune-old"],
  cdn: ["verify-host", "verify-address", "service-id", "edge-wait-seconds"],
  enos: ["org-id", "asset-id", "product-key", "device-key"],
};
const APPLY_SETTINGS: Record<ProviderName, readonly ActionInput[]> = {
  yeastar: ["dns-provider", "dns-credentials", "prune-old", "common-name"],
  enos: ["org-id", "asset-id", "product-key", "device-key", "valid-days", "issue-authority", "common-name", "sans", "csr", "private-key", "order-id", "client-reference", "wait-seconds"],
  cdn: [],
  reseller: ["certificate-id", "reseller-action", "plan", "dcv-type", "approver-email", "common-name", "sans", "csr", "private-key", "order-id", "client-reference", "wait-seconds"],
  acme: ["common-name", "sans", "csr", "private-key", "order-id", "wait-seconds", "dns-provider", "dns-credentials", "acme-email", "acme-accept-tos", "acme-account-key", "acme-eab-kid", "acme-eab-hmac-key", "acme-key-type", "acme-profile"],
};
const ALWAYS: readonly ActionInput[] = ["provider", "operation", "endpoint", "ca-certificate", "renew-before-days", "dry-run"];

/** The inputs one provider and operation read; anything else given is reported, never silently dropped. */
export function inputsUsed(provider: ProviderName, operation: Operation, givenCertificate: boolean, request: Pick<OperationRequest, "vendor">): Set<ActionInput> {
  const used = new Set<ActionInput>(ALWAYS);
  const add = (names: readonly ActionInput[] | undefined) => names?.forEach((n) => used.add(n));
  if (operation === "deploy") {
    add(["certificate", "chain", "min-days-left"]);
    // a device that holds its own key, or a trusted-CA list, takes no key of ours
    if (deployTakes(request).privateKey) add(["private-key"]);
    add(CREDENTIALS[provider]);
    add(TARGET_SETTINGS[provider]);
  } else if (operation === "apply") {
    add(CREDENTIALS[provider]);
    add(APPLY_SETTINGS[provider]);
  } else {
    add(["min-days-left", "certificate", "chain", "common-name"]);
    if (!givenCertificate) {
      add(CREDENTIALS[provider]);
      add((TARGET_SETTINGS[provider] ?? []).filter((n) => n !== "edge-wait-seconds"));
    }
  }
  if (provider !== "yeastar" && provider !== "reseller") used.delete("password");
  if (provider === "reseller" && operation !== "apply") used.delete("password");
  return used;
}

/** Inputs a config run reads; vendor inputs are ignored there (certrelay.yml and the store say everything). */
const CONFIG_INPUTS: readonly ActionInput[] = ["config", "store-dir", "dry-run", "operation", "ca-certificate", "wait-seconds", "edge-wait-seconds"];

/**
 * Defaults declared in action.yml (a test keeps the two equal). The runner sets them as if given, so an input that
 * still holds its default was not given by the user and is never reported as unused.
 */
export const INPUT_DEFAULTS: Partial<Record<ActionInput, string>> = {
  operation: "deploy",
  "wait-seconds": "300",
  "edge-wait-seconds": "300",
  "dry-run": "false",
  "min-days-left": "7",
  "renew-before-days": "30",
};

function givenInputs(): ActionInput[] {
  return ACTION_INPUTS.filter((name) => {
    const value = core.getInput(name, { trimWhitespace: false }).trim();
    return value !== "" && value !== INPUT_DEFAULTS[name];
  });
}

/**
 * Every input the code reads. `action.yml` must declare exactly these (a test compares the two), and every
 * reader below takes only these names, so a typo is a type error rather than an input that is silently empty.
 */
export const ACTION_INPUTS = [
  "provider", "operation", "endpoint", "certificate", "private-key", "chain", "ca-certificate",
  "username", "password", "api-key", "app-key", "app-secret", "org-id", "asset-id", "product-key", "device-key",
  "access-key-id", "access-key-secret", "certificate-type", "prune-old", "verify-host", "verify-address", "service-id",
  "edge-wait-seconds", "common-name", "sans", "csr", "dns-provider", "dns-credentials", "valid-days", "issue-authority",
  "certificate-id", "reseller-action", "plan", "dcv-type", "approver-email", "order-id", "client-reference",
  "wait-seconds", "config", "store-dir", "dry-run", "min-days-left", "renew-before-days",
  "acme-email", "acme-accept-tos", "acme-account-key", "acme-eab-kid", "acme-eab-hmac-key", "acme-key-type", "acme-profile",
] as const;
export type ActionInput = (typeof ACTION_INPUTS)[number];

export function isActionInput(name: string): name is ActionInput {
  return (ACTION_INPUTS as readonly string[]).includes(name);
}

/** The names the operations layer hands over (VENDOR_TEXT_INPUTS, SECRET_INPUTS) are action inputs too. */
function asInput(name: string): ActionInput {
  if (!isActionInput(name)) throw new Error(`certrelay bug: input ${name} is read but not declared in ACTION_INPUTS`);
  return name;
}

function text(name: ActionInput): string | undefined {
  const value = core.getInput(name);
  return value === "" ? undefined : value;
}

/** Multi-line inputs keep their inner line breaks; only surrounding blank space goes. */
function pem(name: ActionInput): string | undefined {
  const value = core.getInput(name, { trimWhitespace: false }).trim();
  return value === "" ? undefined : `${value}\n`;
}

function invalid(name: ActionInput, expected: string): InputError {
  return new InputError(ErrorCodes.INPUT_INVALID, `Invalid input '${name}'. Expected ${expected}.`, { field: name });
}

function choice<const T extends string>(name: ActionInput, allowed: readonly T[], fallback?: T): T {
  const value = text(name)?.toLowerCase() ?? fallback;
  if (value === undefined) {
    throw new InputError(ErrorCodes.INPUT_MISSING, `Input required and not supplied: ${name} (one of ${allowed.join(", ")}).`, { field: name });
  }
  if (!(allowed as readonly string[]).includes(value)) throw invalid(name, `one of ${allowed.join(", ")}`);
  return value as T;
}

function wholeNumber(name: ActionInput, fallback: number | undefined, max = 36_500): number | undefined {
  const value = text(name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) > max) throw invalid(name, `a whole number from 0 to ${max}`);
  return Number(value);
}

function flag(name: ActionInput, fallback: boolean): boolean {
  const value = text(name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (["true", "yes", "on", "1"].includes(value)) return true;
  if (["false", "no", "off", "0"].includes(value)) return false;
  throw invalid(name, "true or false");
}

function list(name: ActionInput): string[] | undefined {
  const value = text(name);
  if (value === undefined) return undefined;
  const items = value.split(/[\s,]+/).filter((item) => item !== "");
  return items.length === 0 ? undefined : items;
}

/** A JSON object of string/number/boolean values, e.g. `{"AccessKeyId": "...", "TTL": 600}`. */
function jsonObject(name: ActionInput): Record<string, DnsCredentialValue> | undefined {
  const value = text(name);
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid(name, 'a JSON object like {"AccessKeyId": "...", "AccessKeySecret": "..."} (it is not valid JSON)');
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid(name, "a JSON object of parameter names to values");
  const out: Record<string, DnsCredentialValue> = {};
  for (const [key, v] of Object.entries(parsed)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      throw invalid(name, `a JSON object whose values are strings, numbers or booleans (parameter ${key} is not)`);
    }
    out[key] = v;
  }
  return out;
}

function vendorFields(provider: ProviderName, endpoint: string): VendorFields {
  const fields: VendorFields = { provider, endpoint };
  const textFields: Partial<Record<keyof typeof VENDOR_TEXT_INPUTS, string>> = {};
  for (const [field, input] of Object.entries(VENDOR_TEXT_INPUTS) as [keyof typeof VENDOR_TEXT_INPUTS, string][]) {
    const value = text(asInput(input));
    if (value !== undefined && field !== "endpoint") textFields[field] = value;
  }
  Object.assign(fields, textFields);
  const validDays = wholeNumber("valid-days", undefined);
  if (validDays !== undefined) fields.validDays = validDays;
  const pruneOld = text("prune-old");
  if (pruneOld !== undefined) fields.pruneOld = flag("prune-old", false);
  const dnsCredentials = jsonObject("dns-credentials");
  if (dnsCredentials) fields.dnsCredentials = dnsCredentials;
  if (text("acme-accept-tos") !== undefined) fields.acmeAcceptTos = flag("acme-accept-tos", false);
  const accountKey = pem("acme-account-key");
  if (accountKey) fields.acmeAccountKey = accountKey;
  const eabHmacKey = text("acme-eab-hmac-key");
  if (eabHmacKey) fields.acmeEabHmacKey = eabHmacKey.trim();
  return fields;
}

/**
 * Register every secret input with the runner's log masker before anything is printed. The runner masks line by
 * line, so a multi-line PEM key is registered per line too; DNS credentials per value.
 */
export function maskSecretInputs(): void {
  for (const name of SECRET_INPUTS) {
    const value = core.getInput(asInput(name), { trimWhitespace: false });
    if (value.trim() === "") continue;
    maskText(value);
    if (name === "dns-credentials") {
      // a DNS timeout or TTL is a plain number: masking "60" would blank every 60 in the log
      const plain = publicParametersOf(name);
      try {
        const parsed: unknown = JSON.parse(value);
        if (parsed && typeof parsed === "object") {
          for (const [k, v] of Object.entries(parsed)) {
            if (plain.has(k)) continue;
            if (typeof v === "string" || typeof v === "number") maskText(String(v));
          }
        }
      } catch {
        // not JSON: the whole value and its lines are masked already; the parse error is reported later
      }
    }
  }
}

/** Mask a secret and each of its lines (except PEM armour, which is public and would blank every PEM header). */
export function maskText(value: string): void {
  const trimmed = value.trim();
  if (trimmed === "") return;
  core.setSecret(trimmed);
  const lines = trimmed.split(/\r?\n/).map((line) => line.trim());
  if (lines.length < 2) return;
  for (const line of lines) {
    if (line.length >= 4 && !line.startsWith("-----")) core.setSecret(line);
  }
}

export function getSettings(): ActionSettings {
  const operation = choice("operation", operations, "deploy");
  const waitSeconds = wholeNumber("wait-seconds", 300, 3_600) ?? 300;
  const edgeWaitSeconds = wholeNumber("edge-wait-seconds", 300, 3_600) ?? 300;
  const caCertificate = pem("ca-certificate");
  const given = givenInputs();
  const configPath = text("config");
  const unusedBy = (used: Set<ActionInput> | readonly ActionInput[]) => given.filter((name) => !(used instanceof Set ? used.has(name) : used.includes(name)));
  const common = { operation, waitSeconds, edgeWaitSeconds, ...(caCertificate ? { caCertificate } : {}) };

  if (configPath !== undefined) {
    const storeDir = text("store-dir");
    if (storeDir === undefined) {
      throw new InputError(ErrorCodes.INPUT_MISSING, "Input required and not supplied: store-dir (the directory of the file store that holds the credentials and certificates certrelay.yml names).", { field: "store-dir" });
    }
    return { ...common, unused: unusedBy(CONFIG_INPUTS), run: { kind: "config", config: { configPath, storeDir, dryRun: flag("dry-run", false) } } };
  }

  const provider = choice("provider", providerNames);
  const endpoint = text("endpoint");
  if (endpoint === undefined) throw new InputError(ErrorCodes.INPUT_MISSING, "Input required and not supplied: endpoint (the API base URL, like https://host:port).", { field: "endpoint" });
  const renewalKind = text(RENEWAL_KIND_INPUT) === undefined ? undefined : choice<(typeof RENEWAL_KINDS)[number]>(RENEWAL_KIND_INPUT, RENEWAL_KINDS);
  const certificate = pem("certificate");
  const privateKey = pem("private-key");
  const chain = pem("chain");
  const csr = pem("csr");
  const commonName = text("common-name");
  const sans = list("sans");
  const orderId = text("order-id");
  const reference = text("client-reference");

  const request: OperationRequest = {
    operation,
    vendor: vendorFields(provider, endpoint),
    bundle: { ...(certificate ? { certificate } : {}), ...(privateKey ? { privateKey } : {}), ...(chain ? { chain } : {}) },
    apply: {
      ...(commonName ? { commonName } : {}),
      ...(sans ? { sans } : {}),
      ...(csr ? { csr } : {}),
      ...(renewalKind ? { renewalKind } : {}),
      ...(orderId ? { orderId } : {}),
      ...(reference ? { reference } : {}),
    },
    dryRun: flag("dry-run", false),
    minDaysLeft: wholeNumber("min-days-left", 7, 3_650) ?? 7,
    renewBeforeDays: wholeNumber("renew-before-days", 30, 365) ?? 30,
  };
  const unused = unusedBy(inputsUsed(provider, operation, certificate !== undefined, request));
  return { ...common, unused, run: { kind: "single", request } };
}
