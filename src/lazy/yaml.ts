/**
 * Bundle entry of its own: what `import("yaml")` loads in the shipped bundles (scripts/bundles.ts). Only a run that
 * reads a certrelay.yml parses YAML: the Action's deploy/apply/check from inputs never do, so their start no longer
 * parses yaml (~0.2 MB). The Lambda handlers read their config on each cold invocation, so there the cost moves from
 * the import to the first config read (bench/cold-start.ts shows both). yaml's Node entry is CommonJS: named exports,
 * the ones src/config (load.ts, harden.ts), src/demo and src/chaos use; `YamlModule` is the type they receive.
 */
export { parseDocument, LineCounter, isNode, isMap, isPair, isScalar, isSeq, isAlias, stringify } from "yaml";

/** what `import("yaml")` gives in a bundle: only the names listed above (using another one fails at type check) */
export type YamlModule = Pick<
  typeof import("yaml"),
  "parseDocument" | "LineCounter" | "isNode" | "isMap" | "isPair" | "isScalar" | "isSeq" | "isAlias" | "stringify"
>;
