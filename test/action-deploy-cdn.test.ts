import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../src/sandbox/cdn/server.js";
import { assertBundleExists, errorLines, expectNoSecrets, runAction, type ActionRun } from "./support/action.js";

// The Action bundle deploying to the CDN sandbox, twice: the second run must find the certificate and write nothing.
describe("action deploy to the CDN", () => {
  let ca: TestCA;
  let sandbox: CdnSandbox;
  let material: CertificateMaterial;
  let first: ActionRun;
  let second: ActionRun;
  let dryRun: ActionRun;
  let inputs: Record<string, string>;

  beforeAll(async () => {
    assertBundleExists();
    ca = await TestCA.create({ name: "Action CDN" });
    sandbox = await startCdnSandbox({ ca });
    material = await ca.issue({ commonName: "www.example.com", days: 90 });
    inputs = {
      provider: "cdn",
      endpoint: sandbox.url,
      certificate: material.certificate,
      "private-key": material.privateKey,
      chain: material.chain,
      "access-key-id": sandbox.credentials.accessKeyId,
      "access-key-secret": sandbox.credentials.accessKeySecret,
      "verify-host": "www.example.com",
      "verify-address": `127.0.0.1:${sandbox.edgePort}`,
      "ca-certificate": ca.rootPem,
    };
    dryRun = await runAction({ ...inputs, "dry-run": "true" });
    first = await runAction(inputs);
    second = await runAction(inputs);
  }, 60_000);

  afterAll(async () => {
    await sandbox?.stop();
  });

  it("a dry run reads but writes nothing", () => {
    expect(dryRun.code).toBe(0);
    expect(dryRun.outputs.status).toBe("would-deploy");
    expect(dryRun.outputs.changed).toBe("false");
    expect(dryRun.stdout).toMatch(/dry run: .* does not hold certificate [0-9A-F]+; nothing was sent/);
    expect(sandbox.count("POST /sfd/v2.0/certs")).toBe(1);
  });

  it("uploads once, verifies the edge serves it and reports the certificate in its outputs", () => {
    expect(errorLines(first), first.stdout).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.outputs.changed).toBe("true");
    expect(first.outputs.status).toBe("deployed");
    expect(first.outputs["certificate-id"]).toMatch(/^\d+$/);
    expect(first.outputs["serial-number"]).toMatch(/^[0-9A-F]+$/);
    expect(first.outputs.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Number(first.outputs["expire-in"])).toBeGreaterThanOrEqual(88);
    expect(new Date(first.outputs["not-after"] ?? "").getTime()).toBeGreaterThan(Date.now());
    expect(sandbox.findBySerial(first.outputs["serial-number"] ?? "")).toHaveLength(1);
  });

  it("writes a job summary with the table, the gantt chart and the deployment context", () => {
    expect(first.summary).toContain("| Target | Certificate | Serial | Not after | Days left | Renew at | Result |");
    expect(first.summary).toContain(first.outputs["serial-number"]);
    expect(first.summary).toContain("```mermaid\ngantt");
    expect(first.summary).toContain("renew :milestone");
    expect(first.summary).toContain("`0123456789ab`");
    expect(first.summary).toContain("**Environment:** production");
    expect(first.summary).toContain("rotate certificates");
  });

  it("re-running with the same certificate changes nothing and says so", () => {
    expect(second.code).toBe(0);
    expect(second.outputs.changed).toBe("false");
    expect(second.outputs.status).toBe("unchanged");
    expect(second.outputs["certificate-id"]).toBe(first.outputs["certificate-id"]);
    expect(second.stdout).toMatch(/nothing changed/);
    expect(sandbox.uploadCount).toBe(1);
  });

  it("never prints or outputs the private key or the access key secret", () => {
    for (const run of [first, second]) expectNoSecrets(run, [material.privateKey, sandbox.credentials.accessKeySecret]);
    // the runner was told to mask them, line by line for the key
    expect(first.stdout).toContain(`::add-mask::${sandbox.credentials.accessKeySecret}`);
  });
});
