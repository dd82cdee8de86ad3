/**
 * What one vendor folder tells the rest of certrelay about itself (lego's `providers/dns/<name>/` metadata, certimate's
 * deployer registry). `src/providers/index.ts` is a list of these; the config schema's unions, the Action's input map,
 * the secret inputs to mask and the credential hints are all derived from that list, so the core never switches on a
 * vendor name and adding a vendor is one folder and one line.
 *
 * Shape, not behaviour: a definition holds schemas and factories; the pipeline owns retries of whole steps, polling,
 * dry-run and the report.
 */
import type { z } from "zod";
import type { Issuer, Target } from "../../model.js";
import type { OperationDeps, OperationRequest, OperationResult } from "../../operations/index.js";
import type { SessionCache } from "../../store/index.js";
import type { ProviderContext } from "../context.js";

/** How a user sets one field from the GitHub Action (config files use the field name itself). */
export interface InputSpec {
  /** the Action input name, kebab-case (`org-id`) */
  input: string;
  /** the value is a secret: registered with the runner's masker before anything is printed, never echoed */
  secret?: boolean;
}

/** Every entry of a role carries these; the rest of the entry is the vendor's own settings. */
export interface EntryBase {
  provider: string;
  /** store secret id of the credentials (the Action passes its inputs instead) */
  credentials: string;
  endpoint?: string;
}

/** One role a vendor plays (target or issuer): its config entry schema and its factory. */
export interface RoleDefinition<Entry extends EntryBase, Made> {
  /**
   * The strict zod object of a config entry in this role, including `provider: z.literal(name)`, `credentials`
   * and `endpoint`; messages say what is expected and never echo the value.
   */
  schema: z.ZodType<Entry>;
  /**
   * Build the vendor object from a parsed entry and the credentials it names. `sessions` keeps vendor sessions of
   * these credentials between runs (Yeastar tokens) when the store can.
   */
  create(entry: Entry, credentials: Record<string, string>, ctx: ProviderContext, sessions?: SessionCache): Made;
}

export interface ProviderDefinition<Target_ extends EntryBase = EntryBase, Issuer_ extends EntryBase = EntryBase> {
  /** the `provider:` value in certrelay.yml and the Action's `provider` input */
  name: string;
  /** what users call it, for docs and messages ("Yeastar P-Series PBX") */
  title: string;
  /** the fields of its credentials secret, all strings; the Action reads them from the inputs in `inputs` */
  credentials: z.ZodType<Record<string, string>>;
  /** config field or credential field -> the Action input that carries it */
  inputs: Record<string, InputSpec>;
  target?: RoleDefinition<Target_, Target>;
  issuer?: RoleDefinition<Issuer_, Issuer>;
  /**
   * Why this vendor cannot be a pipeline issuer although it can obtain certificates (a PBX keeps its own key);
   * the config loader reports it for `issuer.provider: <name>`.
   */
  notAnIssuer?: string;
  /** Vendor-only operations with no Target/Issuer counterpart (a PBX applying for its own certificate). */
  operations?: {
    apply?(request: OperationRequest, deps: OperationDeps): Promise<OperationResult>;
  };
}

/** A definition whose entry types are erased, as lists hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of definitions of different entry types
export type AnyProviderDefinition = ProviderDefinition<any, any>;
