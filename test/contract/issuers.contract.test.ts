import { describe, expect, it } from "vitest";
import { ISSUER_PROVIDERS } from "../../src/config/schema.js";
import { issuerContract } from "./issuer-contract.js";
import { contractSandboxes } from "./sandboxes.js";

/** yeastar is in the config's issuer union only to be refused with a reason (a PBX keeps its own key). */
const PIPELINE_ISSUERS = ISSUER_PROVIDERS.filter((name) => name !== "yeastar");

describe("every issuer provider has a contract sandbox", () => {
  it.each([...PIPELINE_ISSUERS])("%s", (name) => {
    expect(contractSandboxes[name]?.issuer, `add an issuer factory for ${name} to test/contract/sandboxes.ts`).toBeTypeOf("function");
  });
});

for (const name of PIPELINE_ISSUERS) {
  const sandbox = contractSandboxes[name];
  if (sandbox?.issuer) issuerContract(name, sandbox.issuer, sandbox.issuerGaps);
}
