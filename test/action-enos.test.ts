import { X509Certificate, createPrivateKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import { startEnosSandbox, type EnosSandbox } from "../src/sandbox/enos/server.js";
import { assertBundleExists, errorLines, expectNoSecrets, runAction, type ActionRun } from "./support/action.js";

// The Action bundle against the EnOS sandbox: apply for a device certificate with a generated key, then "deploy"
// it, which for EnOS means checking the device holds it (certificates are bound at issuance).
describe("action with EnOS", () => {
  let ca: TestCA;
  let enos: EnosSandbox;
  let base: Record<string, string>;
  let applied: ActionRun;

  beforeAll(async () => {
    assertBundleExists();
    ca = await TestCA.create({ name: "Action EnOS" });
    enos = await startEnosSandbox({ ca });
    base = {
      provider: "enos",
      endpoint: enos.url,
      "app-key": enos.credentials.appKey,
      "app-secret": enos.credentials.appSecret,
      "org-id": enos.orgId,
      "asset-id": "yourDeviceAssetId",
    };
    applied = await runAction({ ...base, operation: "apply", "issue-authority": "ECC", "valid-days": "365" });
  }, 60_000);

  afterAll(async () => {
    await enos?.stop();
  });

  it("applies with a generated ECC key and returns the certificate and the (masked) key", () => {
    expect(errorLines(applied), applied.stdout).toEqual([]);
    expect(applied.code).toBe(0);
    expect(applied.outputs.status).toBe("issued");
    expect(applied.outputs.changed).toBe("true");
    const certificate = new X509Certificate(applied.outputs.certificate ?? "");
    const key = createPrivateKey(applied.outputs["private-key"] ?? "");
    expect(key.asymmetricKeyType).toBe("ec");
    expect(certificate.checkPrivateKey(key)).toBe(true);
    expect(applied.outputs["serial-number"]).toBe(certificate.serialNumber.replace(/^0+/, "").toUpperCase());
    expect(Number(applied.outputs["expire-in"])).toBeGreaterThanOrEqual(363);
    expect(enos.actionCount("apply")).toBe(1);
  });

  it("masks the generated key before setting it as an output, and never prints it", () => {
    const key = applied.outputs["private-key"] ?? "";
    const bodyLine = key.split("\n")[1] ?? "";
    expect(bodyLine.length).toBeGreaterThan(16);
    expect(applied.stdout).toContain(`::add-mask::${bodyLine}`);
    const visible = { ...applied, outputFile: "" };
    expectNoSecrets(visible, [key, enos.credentials.appSecret]);
    expectNoSecrets(applied, [enos.credentials.appSecret]);
  });

  it("deploy of the issued certificate confirms the device holds it and changes nothing", async () => {
    const run = await runAction({ ...base, certificate: applied.outputs.certificate ?? "" });
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.changed).toBe("false");
    expect(run.outputs["serial-number"]).toBe(applied.outputs["serial-number"]);
    expect(run.stdout).toMatch(/nothing changed/);
    expect(enos.actionCount("apply")).toBe(1);
  }, 30_000);

  it("deploy of a certificate EnOS did not issue for the device fails with one line", async () => {
    const foreign = await ca.issue({ commonName: "device.example.com" });
    const run = await runAction({ ...base, certificate: foreign.certificate });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toHaveLength(1);
    expect(errorLines(run)[0]).toMatch(/VENDOR_REJECTED: EnOS has no certificate upload/);
  }, 30_000);

  it("checks the days left of the device's certificate", async () => {
    const run = await runAction({ ...base, operation: "check" });
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe("ok");
    expect(run.outputs["serial-number"]).toBe(applied.outputs["serial-number"]);
    expect(run.summary).toContain("gantt");
  }, 30_000);
});
