import { describe, expect, it } from "vitest";
import { builtInProviders } from "../../src/providers/index.js";
import type { AnyProviderDefinition } from "../../src/providers/kit/definition.js";
import { contractSandboxes } from "./sandboxes.js";
import { targetContract } from "./target-contract.js";

/** Driven by the provider list: a vendor with a target role gets the contract once it has a sandbox factory. */
const targets = (builtInProviders as readonly AnyProviderDefinition[]).filter((definition) => definition.target);

describe("every target in src/providers/index.ts has a contract sandbox", () => {
  it.each(targets.map((d) => d.name))("%s", (name) => {
    expect(
      contractSandboxes[name]?.target,
      `add a target factory for ${name} to test/contract/sandboxes.ts`,
    ).toBeTypeOf("function");
  });
});

for (const definition of targets) {
  const sandbox = contractSandboxes[definition.name];
  if (sandbox?.target) targetContract(definition, sandbox.target, sandbox.targetGaps);
}
