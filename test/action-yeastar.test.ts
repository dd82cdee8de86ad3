import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { startYeastarSandbox, type YeastarSandbox } from "../src/sandbox/yeastar/server.js";
import { assertBundleExists, errorLines, expectNoSecrets, runAction, type ActionRun } from "./support/action.js";

const UPLOAD = "POST /openapi/v1.0/certificate/upload";
const CREATE = "POST /openapi/v1.0/certificate/create";
const DNS_SECRET = "alidns-secret-Zq8Wm3Lr";

// The Action bundle against the PBX sandbox: deploy (twice), apply over DNS validation, check what the PBX holds.
describe("action with a Yeastar PBX", () => {
  let ca: TestCA;
  let pbx: YeastarSandbox;
  let stalled: YeastarSandbox;
  let material: CertificateMaterial;
  let base: Record<string, string>;
  let first: ActionRun;
  let second: ActionRun;

  beforeAll(async () => {
    assertBundleExists();
    ca = await TestCA.create({ name: "Action PBX" });
    pbx = await startYeastarSandbox({ ca, applyPolls: 1, issueDays: 90 });
    stalled = await startYeastarSandbox({ ca, applyOutcome: "stall" });
    material = await ca.issue({ commonName: "pbx.example.com", days: 120 });
    base = {
      provider: "yeastar",
      endpoint: pbx.url,
      username: pbx.credentials.username,
      password: pbx.credentials.password,
    };
    const deploy = {
      ...base,
      certificate: material.certificate,
      "private-key": material.privateKey,
      chain: material.chain,
    };
    first = await runAction(deploy);
    second = await runAction(deploy);
  }, 60_000);

  afterAll(async () => {
    await pbx?.stop();
    await stalled?.stop();
  });

  it("deploys the certificate, verifies the PBX uses it and outputs its facts", () => {
    expect(errorLines(first), first.stdout).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.outputs.changed).toBe("true");
    expect(first.outputs["serial-number"]).toMatch(/^[0-9A-F]+$/);
    expect(first.outputs["certificate-id"]).not.toBe("");
    expect(pbx.count(UPLOAD)).toBe(1);
    expect(first.summary).toContain("```mermaid\ngantt");
    expect(first.summary).toContain("| Target |");
  });

  it("a second identical deploy changes nothing and uploads nothing", () => {
    expect(second.code).toBe(0);
    expect(second.outputs.changed).toBe("false");
    expect(second.stdout).toMatch(/nothing changed/);
    expect(pbx.count(UPLOAD)).toBe(1);
    expect(pbx.count(CREATE)).toBe(1);
  });

  it("applies for a certificate the PBX obtains itself over DNS validation", async () => {
    const run = await runAction({
      ...base,
      operation: "apply",
      "common-name": "voice.example.com",
      "dns-provider": "alidns",
      "dns-credentials": JSON.stringify({ AccessKeyId: "LTAI-demo", AccessKeySecret: DNS_SECRET }),
      "wait-seconds": "10",
    });
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe("issued");
    expect(run.outputs.pending).toBe("false");
    expect(Number(run.outputs["expire-in"])).toBeGreaterThanOrEqual(88);
    expect(run.summary).toContain("voice.example.com");
    expectNoSecrets(run, [DNS_SECRET, pbx.credentials.password]);
    expect(run.stdout).toContain(`::add-mask::${DNS_SECRET}`);
  }, 30_000);

  it("rejects incomplete DNS credentials before any request", async () => {
    const before = stalled.requestCount;
    const run = await runAction({
      ...base,
      endpoint: stalled.url,
      operation: "apply",
      "common-name": "voice.example.com",
      "dns-provider": "alidns",
      "dns-credentials": JSON.stringify({ AccessKeyId: "LTAI-demo" }),
    });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toHaveLength(1);
    expect(errorLines(run)[0]).toMatch(/^::error::\w+: input 'dns-credentials'/);
    expect(stalled.requestCount).toBe(before);
  }, 30_000);

  it("reports an application that does not finish in time as pending, with a warning, and succeeds", async () => {
    const run = await runAction({
      ...base,
      endpoint: stalled.url,
      username: stalled.credentials.username,
      password: stalled.credentials.password,
      operation: "apply",
      "common-name": "slow.example.com",
      "dns-provider": "alidns",
      "dns-credentials": JSON.stringify({ AccessKeyId: "LTAI-demo", AccessKeySecret: DNS_SECRET }),
      "wait-seconds": "1",
    });
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe("pending");
    expect(run.outputs.pending).toBe("true");
    expect(run.stdout).toMatch(/^::warning title=certrelay pending::order \S+ at .* is still pending/m);
    expectNoSecrets(run, [DNS_SECRET, stalled.credentials.password]);
  }, 30_000);

  it("checks the days left of what the PBX holds", async () => {
    const ok = await runAction({ ...base, operation: "check", "common-name": "pbx.example.com" });
    expect(ok.code).toBe(0);
    expect(ok.outputs.status).toBe("ok");
    expect(ok.outputs["serial-number"]).toBe(first.outputs["serial-number"]);
    const strict = await runAction({
      ...base,
      operation: "check",
      "common-name": "pbx.example.com",
      "min-days-left": "200",
    });
    expect(strict.code).toBe(1);
    expect(errorLines(strict)).toHaveLength(1);
    expect(errorLines(strict)[0]).toMatch(/below min-days-left 200/);
    expect(strict.summary).toContain("expiring");
  }, 30_000);

  it("never prints the PBX password or the private key", () => {
    for (const run of [first, second]) expectNoSecrets(run, [material.privateKey, pbx.credentials.password]);
  });
});
