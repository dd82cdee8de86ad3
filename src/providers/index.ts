/**
 * The built-in vendors, one line each. Everything that varies by vendor (the config schema's target and issuer
 * unions, provider names, the registry, the Action's inputs, credential hints) is derived from this list; adding a
 * vendor is its folder and one line here (docs/adding-a-vendor.md). The order is the order users see in messages
 * that list providers.
 */
import { definition as acme } from "./acme/definition.js";
import { definition as cdn } from "./cdn/definition.js";
import { definition as enos } from "./enos/definition.js";
import type { AnyProviderDefinition, IssuerEntryOf, TargetEntryOf } from "./kit/definition.js";
import { definition as reseller } from "./reseller/definition.js";
import { definition as yeastar } from "./yeastar/definition.js";

export const builtInProviders = [
  yeastar,
  cdn,
  reseller,
  enos,
  acme,
] as const satisfies readonly AnyProviderDefinition[];

export type BuiltInProvider = (typeof builtInProviders)[number];
/** `yeastar | cdn | enos | reseller | acme` */
export type BuiltInProviderName = BuiltInProvider["name"];
/** A built-in target entry of certrelay.yml, narrowed by `provider`. */
export type BuiltInTargetConfig = TargetEntryOf<BuiltInProvider>;
/** A built-in issuer entry of certrelay.yml, narrowed by `provider`. */
export type BuiltInIssuerConfig = IssuerEntryOf<BuiltInProvider>;

export const builtInProviderNames: readonly BuiltInProviderName[] = builtInProviders.map(
  (definition) => definition.name,
);
