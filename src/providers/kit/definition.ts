/**
 * What one vendor folder tells the rest of certrelay about itself (lego's `providers/dns/<name>/` metadata, certimate's
 * deployer registry). `src/providers/index.ts` is a list of these; the config schema's unions, the provider names,
 * the Action's input map, the secret inputs to mask and the credential hints are all derived from that list, so the
 * core never switches on a vendor name and adding a vendor is one folder and one line (docs/adding-a-vendor.md).
 *
 * Shape, not behaviour: a definition holds schemas and factories; the pipeline owns retries of whole steps, polling,
 * dry-run and the report.
 */
import type * as z from "zod/mini";
import type { Issuer, KeyType, Target } from "../../model.js";
import type { SessionCache } from "../../store/index.js";
import type { ProviderContext } from "../context.js";
import type { ProviderOperations } from "./operations.js";

/** How a user sets one field from the GitHub Action (config files and store secrets use the field name itself). */
export interface InputSpec {
  /** the Action input name, kebab-case (`org-id`) */
  input: string;
  /** the value is a secret: registered with the runner's masker before anything is printed, never echoed */
  secret?: boolean;
  /** other inputs that carry the same field, tried when `input` is empty (the reseller's API key under `password`) */
  aliases?: readonly string[];
  /**
   * How the Action reads the text: as given (default), a whole number, true/false, PEM (inner line breaks kept), a
   * JSON object of parameters (strings, numbers, booleans), or one of `choices` (lower-cased).
   */
  kind?: "text" | "number" | "flag" | "pem" | "json";
  choices?: readonly string[];
  /**
   * The Action operations that read it. Default: every operation the vendor has a role in (a target: deploy and
   * check; an issuer or an own `operations.apply`: apply). Others report the input as unused.
   */
  for?: readonly ("deploy" | "check" | "apply")[];
  /** the Action's value when the input is empty, where an unattended run needs another default than config files */
  actionDefault?: string;
  /** a JSON secret input's parameters whose values are never secrets (a timeout of "60" masked blanks every 60) */
  publicParameters?: readonly string[];
}

/** Every entry of a role carries these; the rest of the entry is the vendor's own settings. */
export interface EntryBase {
  provider: string;
  /** store secret id of the credentials (the Action passes its inputs instead) */
  credentials: string;
  /** absent for vendors addressed otherwise (the ACME issuer's `directory`) */
  endpoint?: string;
}

/**
 * A config entry schema a discriminated union can hold: a (strict) zod object with `provider: z.literal(name)`.
 * `.check(z.superRefine(...))` keeps a zod 4 object an object, so cross-field rules are fine.
 */
export type EntrySchema<Entry extends EntryBase> = z.ZodMiniType<Entry> & z.core.$ZodTypeDiscriminable;

/**
 * The credentials secret's fields as a zod object of strings (required ones `z.minLength(1)`, the rest `z.optional`).
 * Its keys are the store secret's field names; `ProviderDefinition.inputs` maps each to the Action input.
 */
export type CredentialsSchema = z.ZodMiniObject<Record<string, z.ZodMiniType<string | undefined>>>;

/**
 * The credentials a factory receives: the store secret's text fields (or the Action's inputs), typed by the
 * definition's schema but not yet checked: the vendor reports a missing one in its own words, naming the field.
 */
export type CredentialsOf<C extends CredentialsSchema> = Record<string, string> & Partial<z.output<C>>;

/** One role a vendor plays (target or issuer): its config entry schema and its factory. */
export interface RoleDefinition<Entry extends EntryBase, Made, Credentials = Record<string, string>> {
  /**
   * The strict zod object of a config entry in this role, including `provider: z.literal(name)`, `credentials`
   * and `endpoint`; messages say what is expected and never echo the value.
   */
  schema: EntrySchema<Entry>;
  /**
   * Build the vendor object from a parsed entry (typed by `schema`, no casts) and the credentials secret it names.
   * `sessions` keeps vendor sessions of these credentials between runs (Yeastar tokens) when the store can.
   */
  create(entry: Entry, credentials: Credentials, ctx: ProviderContext, sessions?: SessionCache): Made;
  /**
   * Issuer role: the key type (rsa|ecc) this entry's own settings make (the issuer's `keyType` of the built object
   * must agree). The config loader refuses a certificate whose `keyType` asks for the other one, so the mismatch
   * is reported when the file is read, not on renewal day. Absent: any certificate keyType is accepted.
   */
  keyTypeOf?(entry: Entry): KeyType;
  /**
   * Issuer role, with `keyTypeOf`: how the user makes this entry's certificates agree when one asks for `wanted`
   * keys, in the vendor's own field names and values (or that the vendor makes only one type); never a value.
   */
  keyTypeFix?(entry: Entry, wanted: KeyType): string;
}

export interface ProviderDefinition<
  Name extends string = string,
  TargetEntry extends EntryBase = EntryBase,
  IssuerEntry extends EntryBase = EntryBase,
  Credentials extends CredentialsSchema = CredentialsSchema,
> {
  /** the `provider:` value in certrelay.yml and the Action's `provider` input */
  name: Name;
  /** what users call it, for docs and messages ("Yeastar P-Series PBX") */
  title: string;
  /** the fields of its credentials secret, all text */
  credentials: Credentials;
  /** said after the optional credential fields in hints: when a user needs them (ACME: EAB, only some CAs) */
  credentialsNote?: string;
  /**
   * Config field or credential field -> the Action input that carries it. Every key of `credentials` is here; the
   * entry fields common to all vendors (`provider`, `credentials`) are not.
   */
  inputs: Record<string, InputSpec>;
  target?: RoleDefinition<TargetEntry, Target, CredentialsOf<Credentials>>;
  issuer?: RoleDefinition<IssuerEntry, Issuer, CredentialsOf<Credentials>>;
  /**
   * Why this vendor cannot be a pipeline issuer although it can obtain certificates (a PBX keeps its own key);
   * the config loader and the registry report it for `issuer.provider: <name>`.
   */
  notAnIssuer?: string;
  /** Vendor-only operations and hooks of the entry points' operations (a PBX applying for its own certificate). */
  operations?: ProviderOperations;
}

/** A definition whose entry types are erased, as lists hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of definitions of different entry types
export type AnyProviderDefinition = ProviderDefinition<string, any, any, any>;

/** The config entry type of a definition's target role (never when it has none). */
export type TargetEntryOf<D> = D extends { target: { schema: infer S extends z.ZodMiniType } }
  ? Extract<z.output<S>, EntryBase>
  : never;
/** The config entry type of a definition's issuer role (never when it has none). */
export type IssuerEntryOf<D> = D extends { issuer: { schema: infer S extends z.ZodMiniType } }
  ? Extract<z.output<S>, EntryBase>
  : never;
