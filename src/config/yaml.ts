/**
 * yaml, loaded on first use. In the shipped bundles `import("yaml")` is the file `lazy-yaml` beside the entry
 * (scripts/bundles.ts, src/lazy/yaml.ts), so a start that reads no certrelay.yml (the Action's deploy/apply/check
 * from inputs) never parses it. Runtime values from yaml are reached only through this; `import type` is fine anywhere.
 */
import type { YamlModule } from "../lazy/yaml.js";

let loaded: Promise<YamlModule> | undefined;

/** The yaml module, imported once per process; a failed import is retried by the next call rather than kept. */
export function loadYaml(): Promise<YamlModule> {
  loaded ??= import("yaml").catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

export type { YamlModule };
