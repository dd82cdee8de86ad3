/**
 * The typed request an entry point (the Action, the CLI) hands to an operation, and the one place that maps the
 * flat, user-facing field names (`app-key`, `verify-host`, ...) onto each provider's settings and credentials.
 * Everything vendor-specific comes from the provider definitions (`src/providers/index.ts`, or a list the caller
 * passes): which inputs a provider reads, which are secrets, its config schema and its credentials schema.
 * Validation reuses the certrelay.yml schemas, so a field means the same thing in a workflow and in a config file;
 * problems are reported by the input name the user typed, never with its value.
 */
import * as z from "zod/mini";
import "../zod-locale.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { Issuer, Target } from "../model.js";
import type { ProviderContext } from "../providers/context.js";
import { builtInProviders } from "../providers/index.js";
import type { AnyProviderDefinition, InputSpec } from "../providers/kit/definition.js";
import type { ProviderOperations } from "../providers/kit/operations.js";
import type { VendorFields } from "./fields.js";

export type { DnsCredentialValue, FieldValue, VendorFields } from "./fields.js";

/** The providers an entry point knows: the built-in list, or a longer one (a test's extra provider). */
export type ProviderList = readonly AnyProviderDefinition[];

export type Operation = "deploy" | "apply" | "check";
export const operations: readonly Operation[] = ["deploy", "apply", "check"];

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

export function definitionOf(
  provider: string,
  providers: ProviderList = builtInProviders,
): AnyProviderDefinition | undefined {
  return providers.find((definition) => definition.name === provider);
}

/** A provider's hooks into the operations; none for a provider that adds nothing (or is unknown). */
export function operationsOf(provider: string, providers: ProviderList = builtInProviders): ProviderOperations {
  return definitionOf(provider, providers)?.operations ?? {};
}

/**
 * How the Action reads a field's input: the definition's `kind`, else what its config schema takes (a field that
 * takes a number or true/false, and no text, is read as one), else text.
 */
export function inputKindOf(definition: AnyProviderDefinition, key: string): NonNullable<InputSpec["kind"]> {
  const spec = definition.inputs[key];
  if (spec?.kind) return spec.kind;
  for (const role of [definition.target, definition.issuer]) {
    const schema: unknown = role?.schema;
    if (!(schema instanceof z.ZodMiniObject)) continue;
    const field: unknown = schema.shape[key];
    if (!(field instanceof z.ZodMiniType)) continue;
    if (field.safeParse(1).success && !field.safeParse("1").success) return "number";
    if (field.safeParse(true).success && !field.safeParse("true").success) return "flag";
  }
  return "text";
}

/** The operations a provider's input is read by: its own `for`, else every operation the provider has a role in. */
export function operationsReading(definition: AnyProviderDefinition, spec: InputSpec): readonly Operation[] {
  if (spec.for) return spec.for;
  return [
    ...(definition.target ? (["deploy", "check"] as const) : []),
    ...(definition.issuer || definition.operations?.apply ? (["apply"] as const) : []),
  ];
}

export function targetProviders(providers: ProviderList = builtInProviders): string[] {
  return providers.filter((definition) => definition.target).map((definition) => definition.name);
}

/** Providers an apply works with: issuers, and vendors that obtain their own certificate. */
export function applyProviders(providers: ProviderList = builtInProviders): string[] {
  return providers
    .filter((definition) => definition.issuer || definition.operations?.apply)
    .map((definition) => definition.name);
}

export function isTargetProvider(provider: string, providers: ProviderList = builtInProviders): boolean {
  return definitionOf(provider, providers)?.target !== undefined;
}

/** Stands in for the store secret id the config schema wants; entry points pass credentials directly. */
const INLINE_CREDENTIALS = "inline";

function definedOnly(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== ""));
}

/** Config-style field name (schema path) -> the input name a user types. */
function inputNameOf(definition: AnyProviderDefinition, key: string): string {
  if (key === "provider") return "provider";
  return definition.inputs[key]?.input ?? key;
}

function firstProblem(error: z.core.$ZodError, definition: AnyProviderDefinition): CertrelayError {
  const provider = definition.name;
  const issue = error.issues[0];
  const key = issue?.path.find((segment): segment is string => typeof segment === "string") ?? "provider";
  const input = inputNameOf(definition, key);
  if (issue?.code === "invalid_type" && issue.input === undefined) {
    return new CertrelayError(ErrorCodes.INPUT_MISSING, `input '${input}' is required for provider ${provider}`, {
      field: input,
      vendor: provider,
    });
  }
  return new CertrelayError(
    ErrorCodes.INPUT_INVALID,
    `Invalid input '${input}' for provider ${provider}: ${issue?.message ?? "invalid"}`,
    { field: input, vendor: provider },
  );
}

/**
 * The config entry fields among what the user gave (credentials and Action-only fields are not entry fields, and
 * a reused workflow with extra inputs must not fail the strict schema), with the Action's own defaults.
 */
function entryFields(
  fields: VendorFields,
  definition: AnyProviderDefinition,
  schema: z.ZodMiniType,
): Record<string, unknown> {
  const settings = definedOnly({ ...fields, credentials: INLINE_CREDENTIALS });
  for (const [key, spec] of Object.entries(definition.inputs)) {
    if (spec.actionDefault !== undefined && settings[key] === undefined) settings[key] = spec.actionDefault;
  }
  if (!(schema instanceof z.ZodMiniObject)) return settings;
  const keys = Object.keys(schema.shape);
  return Object.fromEntries(Object.entries(settings).filter(([k]) => keys.includes(k)));
}

/** A validated config entry of one role, ready to build with the credentials. */
export interface Prepared<Made> {
  provider: string;
  /** the parsed entry, as certrelay.yml would give it */
  entry: EntryOfRole;
  create(credentials: Record<string, string>, ctx: ProviderContext): Made;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the list erases each vendor's entry type; its own factory takes what its own schema made
type EntryOfRole = any;

function definitionFor(fields: VendorFields, providers: ProviderList): AnyProviderDefinition {
  const definition = definitionOf(fields.provider, providers);
  if (!definition) {
    const known = providers.map((d) => d.name).join(", ");
    throw new CertrelayError(ErrorCodes.INPUT_INVALID, `Invalid input 'provider'. Expected one of ${known}.`, {
      field: "provider",
    });
  }
  return definition;
}

/** The target config for these fields; throws InputError naming the input to fix. */
export function targetConfigFor(fields: VendorFields, providers: ProviderList = builtInProviders): Prepared<Target> {
  const definition = definitionOf(fields.provider, providers);
  const role = definition?.target;
  if (!definition || !role) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `input 'provider': ${fields.provider} is not a deploy target (targets: ${targetProviders(providers).join(", ")}); use operation apply, or check with input 'certificate'`,
      { field: "provider", vendor: fields.provider },
    );
  }
  const parsed = role.schema.safeParse(entryFields(fields, definition, role.schema));
  if (!parsed.success) throw firstProblem(parsed.error, definition);
  const entry: EntryOfRole = parsed.data;
  return { provider: definition.name, entry, create: (credentials, ctx) => role.create(entry, credentials, ctx) };
}

/** The issuer config for these fields. */
export function issuerConfigFor(fields: VendorFields, providers: ProviderList = builtInProviders): Prepared<Issuer> {
  const definition = definitionOf(fields.provider, providers);
  if (!definition?.issuer) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `input 'provider': ${fields.provider} cannot apply for certificates (issuers: ${applyProviders(providers).join(", ")})`,
      {
        field: "provider",
        vendor: fields.provider,
      },
    );
  }
  const parsed = definition.issuer.schema.safeParse(entryFields(fields, definition, definition.issuer.schema));
  if (!parsed.success) throw firstProblem(parsed.error, definition);
  return preparedIssuer(definition, parsed.data);
}

/** An issuer from an entry a vendor hook built itself (its Action inputs are more than config fields). */
export function preparedIssuer(definition: AnyProviderDefinition, entry: EntryOfRole): Prepared<Issuer> {
  const role = definition.issuer;
  if (!role) throw new Error(`certrelay bug: provider ${definition.name} has no issuer role`);
  return { provider: definition.name, entry, create: (credentials, ctx) => role.create(entry, credentials, ctx) };
}

/** The credential fields of a definition: key, the input that carries it, and whether the vendor needs it. */
function credentialFields(definition: AnyProviderDefinition): { key: string; input: string; required: boolean }[] {
  const shape: Record<string, z.ZodMiniType> = definition.credentials.shape;
  return Object.entries(shape).map(([key, schema]) => ({
    key,
    input: definition.inputs[key]?.input ?? key,
    required: !schema.safeParse(undefined).success,
  }));
}

/** The required credential fields of a provider and the inputs that carry them (for hints that name what to check). */
export function credentialInputs(
  provider: string,
  providers: ProviderList = builtInProviders,
): readonly (readonly [key: string, input: string])[] | undefined {
  const definition = definitionOf(provider, providers);
  return definition
    ? credentialFields(definition)
        .filter((f) => f.required)
        .map((f) => [f.key, f.input] as const)
    : undefined;
}

/** The credentials object the provider factories take; every required key must be given. */
export function credentialsFor(
  fields: VendorFields,
  providers: ProviderList = builtInProviders,
): Record<string, string> {
  const definition = definitionFor(fields, providers);
  const credentials: Record<string, string> = {};
  for (const { key, input, required } of credentialFields(definition)) {
    const value = fields[key];
    if (typeof value === "string" && value !== "") credentials[key] = value;
    else if (required)
      throw new CertrelayError(
        ErrorCodes.INPUT_MISSING,
        `input '${input}' is required for provider ${fields.provider}`,
        { field: input, vendor: fields.provider },
      );
  }
  return credentials;
}

/** The inputs the provider definitions name (without duplicates, in list order). */
export function vendorInputs(providers: ProviderList = builtInProviders): string[] {
  const names = providers.flatMap((definition) =>
    Object.values(definition.inputs).flatMap((spec) => [spec.input, ...(spec.aliases ?? [])]),
  );
  return [...new Set(names)];
}

/** Names of the inputs that hold secrets: entry points mask these before anything is printed. */
export function secretInputs(providers: ProviderList = builtInProviders): string[] {
  const names = providers.flatMap((definition) =>
    Object.values(definition.inputs)
      .filter((spec) => spec.secret)
      .flatMap((spec) => [spec.input, ...(spec.aliases ?? [])]),
  );
  return [...new Set(["private-key", ...names])];
}

/** Parameters of a JSON secret input whose values are never secrets (for any provider): masking skips them. */
export function publicParametersOf(input: string, providers: ProviderList = builtInProviders): ReadonlySet<string> {
  return new Set(
    providers.flatMap((definition) =>
      Object.values(definition.inputs).flatMap((spec) => (spec.input === input ? (spec.publicParameters ?? []) : [])),
    ),
  );
}

/** The outputs a vendor may set with a secret it made during the run (action.yml declares them). */
export function secretOutputs(providers: ProviderList = builtInProviders): string[] {
  return [...new Set(providers.flatMap((definition) => definition.operations?.secretOutputs ?? []))];
}

/** The built-in providers' secret inputs. */
export const SECRET_INPUTS: readonly string[] = secretInputs();
/** The built-in providers' inputs. */
export const VENDOR_INPUTS: readonly string[] = vendorInputs();
export const SECRET_OUTPUTS: readonly string[] = secretOutputs();
