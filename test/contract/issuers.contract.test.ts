import { describe, expect, it } from "vitest";
import { builtInProviders } from "../../src/providers/index.js";
import type { AnyProviderDefinition } from "../../src/providers/kit/definition.js";
import { issuerContract } from "./issuer-contract.js";
import { contractSandboxes } from "./sandboxes.js";

/** Driven by the provider list: a vendor with an issuer role gets the contract once it has a sandbox factory. */
const issuers = (builtInProviders as readonly AnyProviderDefinition[]).filter((definition) => definition.issuer);

describe("every issuer in src/providers/index.ts has a contract sandbox", () => {
  it.each(issuers.map((d) => d.name))("%s", (name) => {
    expect(
      contractSandboxes[name]?.issuer,
      `add an issuer factory for ${name} to test/contract/sandboxes.ts`,
    ).toBeTypeOf("function");
  });
});

for (const definition of issuers) {
  const sandbox = contractSandboxes[definition.name];
  if (sandbox?.issuer) issuerContract(definition, sandbox.issuer, sandbox.issuerGaps);
}
