/**
 * The Action's one input helper: raw `INPUT_*` strings in, a typed, validated settings object out. Which inputs a
 * provider reads, how (text, number, flag, PEM, JSON, a choice) and which are secrets come from its definition in the
 * provider list; generic checks happen here, what each provider needs is checked by the operations layer against the
 * provider's own schemas. Every message names the input to fix and never repeats its value.
 */
import * as core from "@actions/core";
import { CertrelayError, ErrorCodes } from "../src/errors.js";
import {
  definitionOf,
  deployTakes,
  inputKindOf,
  operations,
  operationsReading,
  publicParametersOf,
  secretInputs,
  vendorInputs,
  type ConfigRunRequest,
  type DnsCredentialValue,
  type FieldValue,
  type Operation,
  type OperationRequest,
  type ProviderList,
  type VendorFields,
} from "../src/operations/index.js";
import { builtInProviders } from "../src/providers/index.js";
import { isHostName } from "../src/providers/kit/config.js";
import type { AnyProviderDefinition, InputSpec } from "../src/providers/kit/definition.js";
import { caCertificatesProblem } from "../src/x509/facts.js";

export interface ActionSettings {
  /** one endpoint from inputs, or a certrelay.yml over many */
  run: { kind: "single"; request: OperationRequest } | { kind: "config"; config: ConfigRunRequest };
  operation: Operation;
  /** PEM of a private CA the endpoints use */
  caCertificate?: string;
  /** bound on waiting for asynchronous issuance */
  waitSeconds: number;
  /** deploy to a target that checks its edge: bound on waiting for the edge to serve the new certificate */
  edgeWaitSeconds: number;
  /** inputs that were given but that this provider and operation do not use (each one a warning) */
  unused: ActionInput[];
  /** input allow-insecure: a plain http:// endpoint on another machine is accepted (a lab device on a trusted LAN) */
  allowInsecure: boolean;
}

/**
 * The inputs every provider shares, read by name below (a typo is a type error). The vendors' own inputs come from
 * their definitions (`inputs`), so adding a vendor adds its inputs here without an edit.
 */
const COMMON_INPUTS = [
  "provider",
  "operation",
  "endpoint",
  "certificate",
  "private-key",
  "chain",
  "ca-certificate",
  "edge-wait-seconds",
  "common-name",
  "sans",
  "csr",
  "order-id",
  "client-reference",
  "wait-seconds",
  "config",
  "store-dir",
  "dry-run",
  "min-days-left",
  "renew-before-days",
  "allow-insecure",
] as const;
type CommonInput = (typeof COMMON_INPUTS)[number];
/** An input name: a common one, or one a provider definition names. */
export type ActionInput = string;

/** Every input the Action reads with these providers: the common ones and those the definitions name. */
export function actionInputs(providers: ProviderList = builtInProviders): string[] {
  return [...new Set<string>([...COMMON_INPUTS, ...vendorInputs(providers)])];
}

/**
 * Every input the code reads with the built-in providers. `action.yml` must declare exactly these (a test compares
 * the two).
 */
export const ACTION_INPUTS: readonly string[] = actionInputs();

export function isActionInput(name: string, providers: ProviderList = builtInProviders): boolean {
  return providers === builtInProviders ? ACTION_INPUTS.includes(name) : actionInputs(providers).includes(name);
}

const ALWAYS: readonly CommonInput[] = [
  "provider",
  "operation",
  "ca-certificate",
  "renew-before-days",
  "dry-run",
  "allow-insecure",
];
/** What an apply through an issuer reads besides the vendor's inputs. */
const ISSUER_APPLY: readonly CommonInput[] = [
  "common-name",
  "sans",
  "csr",
  "private-key",
  "order-id",
  "client-reference",
  "wait-seconds",
];
/** What a vendor's own apply reads (it makes and keeps the key itself). */
const OWN_APPLY: readonly CommonInput[] = ["common-name", "wait-seconds"];

/** Most vendors are reached at a URL (input `endpoint`); a vendor whose definition does not name it reads none. */
function readsEndpoint(definition: AnyProviderDefinition): boolean {
  return Object.values(definition.inputs).some((spec) => spec.input === "endpoint");
}

/** The vendor inputs an operation reads (a field's input and the inputs that may stand in for it). */
function vendorInputsFor(definition: AnyProviderDefinition, operation: Operation): string[] {
  return Object.values(definition.inputs)
    .filter((spec) => operationsReading(definition, spec).includes(operation))
    .flatMap((spec) => [spec.input, ...(spec.aliases ?? [])]);
}

/** The inputs one provider and operation read; anything else given is reported, never silently dropped. */
export function inputsUsed(
  definition: AnyProviderDefinition,
  operation: Operation,
  givenCertificate: boolean,
  request: Pick<OperationRequest, "vendor">,
  providers?: ProviderList,
): Set<ActionInput> {
  const used = new Set<ActionInput>(ALWAYS);
  const add = (names: readonly string[]) => names.forEach((n) => used.add(n));
  if (readsEndpoint(definition)) add(["endpoint"]);
  if (operation === "deploy") {
    add(["certificate", "chain", "min-days-left"]);
    // a device that holds its own key, or a trusted-CA list, takes no key of ours
    if (deployTakes(request, providers).privateKey) add(["private-key"]);
    add(vendorInputsFor(definition, "deploy"));
  } else if (operation === "apply") {
    add(definition.operations?.apply ? OWN_APPLY : ISSUER_APPLY);
    add(vendorInputsFor(definition, "apply"));
  } else {
    add(["min-days-left", "certificate", "chain", "common-name"]);
    if (!givenCertificate) add(vendorInputsFor(definition, "check"));
  }
  return used;
}

/**
 * Inputs a config run reads; vendor inputs are ignored there (certrelay.yml and the store say everything). Not
 * edge-wait-seconds: a config run's one deadline, edge probes included, is wait-seconds (main.ts `deps`), so a value
 * given there is reported as unused rather than silently ignored.
 */
const CONFIG_INPUTS: readonly ActionInput[] = [
  "config",
  "store-dir",
  "dry-run",
  "operation",
  "ca-certificate",
  "wait-seconds",
];

/**
 * Defaults declared in action.yml (a test keeps the two equal). The runner sets them as if given, so an input that
 * still holds its default was not given by the user and is never reported as unused.
 */
export const INPUT_DEFAULTS: Readonly<Partial<Record<CommonInput, string>>> = {
  operation: "deploy",
  "wait-seconds": "300",
  "edge-wait-seconds": "300",
  "dry-run": "false",
  "min-days-left": "7",
  "renew-before-days": "30",
  "allow-insecure": "false",
};

function defaultOf(name: string): string | undefined {
  return Object.entries(INPUT_DEFAULTS).find(([input]) => input === name)?.[1];
}

function givenInputs(providers: ProviderList): ActionInput[] {
  return actionInputs(providers).filter((name) => {
    const value = core.getInput(name, { trimWhitespace: false }).trim();
    return value !== "" && value !== defaultOf(name);
  });
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

function invalid(name: ActionInput, expected: string): CertrelayError {
  return new CertrelayError(ErrorCodes.INPUT_INVALID, `Invalid input '${name}'. Expected ${expected}.`, {
    field: name,
  });
}

function choice<const T extends string>(name: ActionInput, allowed: readonly T[], fallback?: T): T {
  const value = text(name)?.toLowerCase() ?? fallback;
  if (value === undefined) {
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      `Input required and not supplied: ${name} (one of ${allowed.join(", ")}).`,
      { field: name },
    );
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

/**
 * Every flag input, common or a vendor's, reads the same way: `true` or `false` in any case, as the runner's own
 * `core.getBooleanInput` and certrelay.yml (a YAML boolean) do. "yes", "on" or "1" are refused rather than guessed:
 * one flag taking "yes" while another refuses "maybe" left users unsure which words a flag takes.
 */
function flag(name: ActionInput, fallback: boolean): boolean {
  const value = text(name)?.trim().toLowerCase();
  if (value === undefined) return fallback;
  if (value === "true") return true;
  if (value === "false") return false;
  throw invalid(name, "true or false");
}

function list(name: ActionInput): string[] | undefined {
  const value = text(name);
  if (value === undefined) return undefined;
  const items = value.split(/[\s,]+/).filter((item) => item !== "");
  return items.length === 0 ? undefined : items;
}

/**
 * A host name input (common-name), checked with certrelay.yml's own rule before any call: a vendor that takes any
 * text would otherwise order (and charge for) a certificate no browser accepts.
 */
function hostName(name: ActionInput): string | undefined {
  const value = text(name)?.trim();
  if (value === undefined || value === "") return undefined;
  if (!isHostName(value)) throw invalid(name, HOST_NAME_EXPECTED);
  return value;
}

const HOST_NAME_EXPECTED =
  "a host name like www.example.com or *.example.com (letters, digits, - and . only; no label starts or ends with -)";

/** A list of host names (sans), separated by commas, spaces or new lines; each item checked as common-name is. */
function hostNames(name: ActionInput): string[] | undefined {
  const items = list(name);
  if (items === undefined) return undefined;
  const bad = items.findIndex((item) => !isHostName(item));
  if (bad >= 0) {
    throw invalid(
      name,
      `a list of host names separated by commas or spaces, each like www.example.com or *.example.com (item ${bad + 1} of ${items.length} is not one: letters, digits, - and . only; no label starts or ends with -)`,
    );
  }
  return items;
}

/**
 * ca-certificate: PEM certificate(s) of a private CA the endpoints use. Checked here, not when the first TLS check
 * fails with a bare VERIFY_FAILED. Nothing of the value is ever repeated (a private key pasted here by mistake is
 * masked and refused).
 */
function caCertificates(name: ActionInput): string | undefined {
  const value = pem(name);
  if (value === undefined) return undefined;
  // a key pasted here was masked by maskSecretInputs before anything could fail, as in any other input
  const problem = caCertificatesProblem(value, name);
  if (problem?.kind === "no-certificate") {
    throw new CertrelayError(
      ErrorCodes.PEM_MALFORMED,
      `input '${name}' has no "-----BEGIN CERTIFICATE-----" block, so it is not PEM: paste the PEM certificate(s) of the CA that signed the endpoints' certificates`,
      { field: name },
    );
  }
  if (problem?.kind === "private-key") {
    throw new CertrelayError(
      ErrorCodes.PEM_WRONG_TYPE,
      `input '${name}' block ${problem.block} is a private key, not a CA certificate: remove it from ${name} (a private key never goes there; rotate it if this log is shared) and paste the CA's "-----BEGIN CERTIFICATE-----" block`,
      { field: name },
    );
  }
  if (problem?.kind === "not-certificate") {
    throw new CertrelayError(
      ErrorCodes.PEM_WRONG_TYPE,
      `input '${name}' block ${problem.block} is a ${problem.type}, not a CERTIFICATE: paste the PEM certificate(s) of the CA that signed the endpoints' certificates`,
      { field: name },
    );
  }
  return value;
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
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw invalid(name, "a JSON object of parameter names to values");
  const out: Record<string, DnsCredentialValue> = {};
  for (const [key, v] of Object.entries(parsed)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      throw invalid(name, `a JSON object whose values are strings, numbers or booleans (parameter ${key} is not)`);
    }
    out[key] = v;
  }
  return out;
}

/** One vendor input, read the way its definition (or its config schema) says; undefined when it is empty. */
function readInput(name: string, spec: InputSpec, kind: NonNullable<InputSpec["kind"]>): FieldValue | undefined {
  if (text(name) === undefined) return undefined;
  switch (kind) {
    case "number":
      return wholeNumber(name, undefined);
    case "flag":
      return flag(name, false);
    case "pem":
      return pem(name);
    case "json":
      return jsonObject(name);
    default:
      return spec.choices ? choice(name, spec.choices) : text(name);
  }
}

/** The provider's fields from the inputs its definition names (an alias stands in when the input is empty). */
function vendorFields(definition: AnyProviderDefinition, endpoint: string): VendorFields {
  const fields: VendorFields = { provider: definition.name, endpoint };
  for (const [field, spec] of Object.entries(definition.inputs)) {
    if (spec.input === "endpoint") continue;
    for (const name of [spec.input, ...(spec.aliases ?? [])]) {
      const value = readInput(name, spec, inputKindOf(definition, field));
      if (value === undefined) continue;
      fields[field] = value;
      break;
    }
  }
  return fields;
}

/** The inputs whose value is a JSON object of parameters, each value masked on its own. */
function jsonInputs(providers: ProviderList): Set<string> {
  return new Set(
    providers.flatMap((definition) =>
      Object.values(definition.inputs)
        .filter((spec) => spec.kind === "json")
        .map((spec) => spec.input),
    ),
  );
}

/**
 * Register every secret input with the runner's log masker before anything is printed. The runner masks line by
 * line, so a multi-line PEM key is registered per line too; DNS credentials per value. Any other input holding a
 * private key (pasted into chain, certificate, csr or ca-certificate by mistake) is masked the same way, here, once:
 * it is a secret whichever input it arrived in, and whichever check later refuses it.
 */
export function maskSecretInputs(providers: ProviderList = builtInProviders): void {
  const json = jsonInputs(providers);
  const secret = new Set(secretInputs(providers));
  const all = providers === builtInProviders ? ACTION_INPUTS : actionInputs(providers);
  for (const name of new Set([...secret, ...all])) {
    const value = core.getInput(name, { trimWhitespace: false });
    if (value.trim() === "") continue;
    if (!secret.has(name)) {
      if (value.includes("PRIVATE KEY")) maskText(value);
      continue;
    }
    maskText(value);
    if (json.has(name)) {
      // a DNS timeout or TTL is a plain number: masking "60" would blank every 60 in the log
      const plain = publicParametersOf(name, providers);
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

export function getSettings(providers: ProviderList = builtInProviders): ActionSettings {
  const operation = choice("operation", operations, "deploy");
  const waitSeconds = wholeNumber("wait-seconds", 300, 3_600) ?? 300;
  const edgeWaitSeconds = wholeNumber("edge-wait-seconds", 300, 3_600) ?? 300;
  const caCertificate = caCertificates("ca-certificate");
  const given = givenInputs(providers);
  const configPath = text("config");
  const unusedBy = (used: Set<ActionInput> | readonly ActionInput[]) =>
    given.filter((name) => !(used instanceof Set ? used.has(name) : used.includes(name)));
  const common = {
    operation,
    waitSeconds,
    edgeWaitSeconds,
    allowInsecure: flag("allow-insecure", false),
    ...(caCertificate ? { caCertificate } : {}),
  };

  if (configPath !== undefined) {
    const storeDir = text("store-dir");
    if (storeDir === undefined) {
      throw new CertrelayError(
        ErrorCodes.INPUT_MISSING,
        "Input required and not supplied: store-dir (the directory of the file store that holds the credentials and certificates certrelay.yml names).",
        { field: "store-dir" },
      );
    }
    return {
      ...common,
      unused: unusedBy(CONFIG_INPUTS),
      run: { kind: "config", config: { configPath, storeDir, dryRun: flag("dry-run", false) } },
    };
  }

  const provider = choice(
    "provider",
    providers.map((definition) => definition.name),
  );
  const definition = definitionOf(provider, providers);
  if (!definition) throw new Error(`certrelay bug: provider ${provider} was chosen but has no definition`);
  const endpoint = text("endpoint");
  if (endpoint === undefined && readsEndpoint(definition))
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      "Input required and not supplied: endpoint (the API base URL, like https://host:port).",
      { field: "endpoint" },
    );
  const certificate = pem("certificate");
  const privateKey = pem("private-key");
  const chain = pem("chain");
  const csr = pem("csr");
  const commonName = hostName("common-name");
  const sans = hostNames("sans");
  const orderId = text("order-id");
  const reference = text("client-reference");

  const request: OperationRequest = {
    operation,
    vendor: vendorFields(definition, endpoint ?? ""),
    bundle: {
      ...(certificate ? { certificate } : {}),
      ...(privateKey ? { privateKey } : {}),
      ...(chain ? { chain } : {}),
    },
    apply: {
      ...(commonName ? { commonName } : {}),
      ...(sans ? { sans } : {}),
      ...(csr ? { csr } : {}),
      ...(orderId ? { orderId } : {}),
      ...(reference ? { reference } : {}),
    },
    dryRun: flag("dry-run", false),
    minDaysLeft: wholeNumber("min-days-left", 7, 3_650) ?? 7,
    renewBeforeDays: wholeNumber("renew-before-days", 30, 365) ?? 30,
  };
  const unused = unusedBy(inputsUsed(definition, operation, certificate !== undefined, request, providers));
  return { ...common, unused, run: { kind: "single", request } };
}
