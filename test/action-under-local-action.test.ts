import { beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { runLocalAction } from "./support/local-action.js";

// The Action under GitHub's own runner emulator: a success and a failure both finish with their outputs set; a
// failure ends in `core.setFailed`, which the emulator implements (it has no `core.ExitCode` and used to crash).
describe("the Action under @github/local-action", () => {
  let material: CertificateMaterial;

  beforeAll(async () => {
    const ca = await TestCA.create({ name: "Local Action" });
    material = await ca.issue({ commonName: "www.example.com", days: 90 });
  }, 30_000);

  it("checks a certificate and sets its outputs", async () => {
    const run = await runLocalAction({
      operation: "check",
      provider: "cdn",
      endpoint: "https://cdn.example.com",
      certificate: material.certificate,
    });
    expect(run.stderr).not.toMatch(/TypeError|Error: Command failed/);
    expect(run.outputs.status).toBe("ok");
    expect(run.outputs["serial-number"]).toMatch(/^[0-9A-F]+$/);
    expect(Number(run.outputs["expire-in"])).toBeGreaterThanOrEqual(88);
  }, 120_000);

  it("fails with status=failed, changed=false and an error code, without crashing the runner", async () => {
    const run = await runLocalAction({
      operation: "deploy",
      provider: "cdn",
      endpoint: "https://cdn.example.com",
      certificate: material.certificate,
      "access-key-id": "id",
      "access-key-secret": "secret-Xy7",
      "verify-host": "www.example.com",
    });
    expect(run.stderr).not.toMatch(/TypeError|Cannot read properties/);
    expect(run.code).toBe(0); // the emulator always exits 0; what matters is that it got to print the outputs
    expect(run.stdout).toContain("Action Outputs");
    expect(run.outputs.status).toBe("failed");
    expect(run.outputs.changed).toBe("false");
    expect(run.outputs["error-code"]).toBe("INPUT_MISSING");
    expect(run.stdout).toMatch(/^::error::INPUT_MISSING: input 'private-key'/m);
  }, 120_000);
});
