/**
 * `field` on an error is the name the user types to fix it: a vendor names its setting by config key, and the Action
 * reports the input that carries it; a config run keeps the config key.
 */
import { describe, expect, it } from "vitest";
import { CertrelayError, ErrorCodes } from "../src/errors.js";
import { explainFailure } from "../src/operations/explain.js";
import { builtInProviders } from "../src/providers/index.js";

describe("field names what the user types", () => {
  const refused = (field: string, vendor: string) =>
    new CertrelayError(ErrorCodes.INPUT_INVALID, "refused", { field, vendor });

  it("in the Action, a vendor's config key becomes the input that carries it", () => {
    expect(explainFailure(refused("validDays", "enos"), { entry: "action" }).field).toBe("valid-days");
    expect(explainFailure(refused("appSecret", "enos"), { entry: "action" }).field).toBe("app-secret");
    expect(explainFailure(refused("verifyHost", "cdn"), { entry: "action" }).field).toBe("verify-host");
  });

  it("in a config run, the config key stays", () => {
    expect(explainFailure(refused("validDays", "enos"), { entry: "cli" }).field).toBe("validDays");
  });

  it("a field that is already an input, or no vendor's, is left alone", () => {
    expect(explainFailure(refused("private-key", "cdn"), { entry: "action" }).field).toBe("private-key");
    expect(
      explainFailure(new CertrelayError(ErrorCodes.INPUT_MISSING, "missing", { field: "operation" }), {
        entry: "action",
      }).field,
    ).toBe("operation");
  });

  it("every setting and credential a vendor declares maps to an input", () => {
    for (const definition of builtInProviders) {
      for (const [key, spec] of Object.entries(definition.inputs)) {
        expect(
          explainFailure(refused(key, definition.name), { entry: "action" }).field,
          `${definition.name}.${key}`,
        ).toBe(spec.input);
      }
    }
  });
});
