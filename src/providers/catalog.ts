/**
 * A list of provider definitions turned into what the rest of certrelay needs: the config schema over its vendors,
 * the role name lists for messages, and the factories looked up by name (certimate's deployer registry, lego's
 * generated provider table). The built-in catalog is made from src/providers/index.ts; a test makes its own from a
 * longer list to add a vendor without editing src (test/adding-a-vendor.test.ts).
 */
import type * as z from "zod/mini";
import { configSchemasFor, notAnIssuerMessage, roleSchemasFor, type CertrelayConfigOf } from "../config/schema.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { Issuer, Target } from "../model.js";
import type { SessionCache } from "../store/index.js";
import type { ProviderContext } from "./context.js";
import { builtInProviders } from "./index.js";
import { once } from "./kit/config.js";
import type { AnyProviderDefinition, EntryBase, IssuerEntryOf, TargetEntryOf } from "./kit/definition.js";

export interface ProviderCatalog<T extends EntryBase = EntryBase, I extends EntryBase = EntryBase> {
  readonly providers: readonly AnyProviderDefinition[];
  /** names with a target role, in list order */
  readonly targetProviders: readonly string[];
  /** names with an issuer role, in list order */
  readonly issuerProviders: readonly string[];
  /** built on first use, once per catalog */
  readonly configSchema: z.ZodMiniType<CertrelayConfigOf<T, I>>;
  definition(name: string): AnyProviderDefinition | undefined;
  /** the fields a vendor's credentials secret holds, for hints that say what goes into the store */
  credentialFields(name: string): readonly string[] | undefined;
  /** the fields of a vendor whose values are secrets (`inputs` marked `secret`): never in a config file */
  secretFields(name: string): readonly string[];
  /** `sessions`: where vendor sessions of these credentials are kept between runs (Yeastar tokens), when a store has them. */
  createTarget(
    entry: EntryBase,
    credentials: Record<string, string>,
    ctx: ProviderContext,
    sessions?: SessionCache,
  ): Target;
  createIssuer(entry: EntryBase, credentials: Record<string, string>, ctx: ProviderContext): Issuer;
}

export function providerCatalog<const L extends readonly AnyProviderDefinition[]>(
  list: L,
): ProviderCatalog<TargetEntryOf<L[number]>, IssuerEntryOf<L[number]>> {
  const byName = new Map<string, AnyProviderDefinition>();
  for (const definition of list) {
    if (byName.has(definition.name)) throw new Error(`certrelay bug: two providers are named ${definition.name}`);
    byName.set(definition.name, definition);
  }
  const schemas = once(() => {
    const roles = roleSchemasFor<L[number]>(list);
    return { ...roles, ...configSchemasFor(roles) };
  });
  const targetProviders = list.filter((d) => d.target !== undefined).map((d) => d.name);
  const issuerProviders = list.filter((d) => d.issuer !== undefined).map((d) => d.name);
  const fields = new Map<string, readonly string[]>();

  return {
    providers: list,
    targetProviders,
    issuerProviders,
    get configSchema() {
      return schemas().config;
    },
    definition: (name) => byName.get(name),
    credentialFields(name) {
      const definition = byName.get(name);
      if (!definition) return undefined;
      let found = fields.get(name);
      if (!found) {
        found = Object.keys(definition.credentials.shape);
        fields.set(name, found);
      }
      return found;
    },
    secretFields(name) {
      const inputs = byName.get(name)?.inputs ?? {};
      return Object.keys(inputs).filter((field) => inputs[field]?.secret === true);
    },
    createTarget(entry, credentials, ctx, sessions) {
      const role = byName.get(entry.provider)?.target;
      // the config schema admits only listed targets: anything else is a caller that skipped it
      if (!role)
        throw new CertrelayError(ErrorCodes.CONFIG_INVALID, `expected target provider ${targetProviders.join("|")}`, {
          field: "provider",
          vendor: entry.provider,
        });
      return role.create(entry, credentials, ctx, sessions);
    },
    createIssuer(entry, credentials, ctx) {
      const definition = byName.get(entry.provider);
      if (definition?.issuer) return definition.issuer.create(entry, credentials, ctx);
      if (definition?.notAnIssuer !== undefined) {
        throw new CertrelayError(
          ErrorCodes.CONFIG_INVALID,
          notAnIssuerMessage(definition.name, definition.notAnIssuer),
          { field: "issuer.provider", vendor: definition.name },
        );
      }
      throw new CertrelayError(ErrorCodes.CONFIG_INVALID, `expected issuer provider ${issuerProviders.join("|")}`, {
        field: "issuer.provider",
        vendor: entry.provider,
      });
    },
  };
}

/** The catalog of the built-in vendors, made on first use. */
export const builtInCatalog = once(() => providerCatalog(builtInProviders));
