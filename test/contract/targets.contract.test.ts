import { describe, expect, it } from "vitest";
import { providerNames } from "../../src/model.js";
import { TARGET_PROVIDERS } from "../../src/config/schema.js";
import { contractSandboxes } from "./sandboxes.js";
import { targetContract } from "./target-contract.js";

describe("every target provider has a contract sandbox", () => {
  it.each([...TARGET_PROVIDERS])("%s", (name) => {
    expect(providerNames).toContain(name);
    expect(contractSandboxes[name]?.target, `add a target factory for ${name} to test/contract/sandboxes.ts`).toBeTypeOf("function");
  });
});

for (const name of TARGET_PROVIDERS) {
  const sandbox = contractSandboxes[name];
  if (sandbox?.target) targetContract(name, sandbox.target, sandbox.targetGaps);
}
