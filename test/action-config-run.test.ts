import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../src/sandbox/cdn/server.js";
import { DEFAULT_PLANS, startResellerSandbox, type ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { startYeastarSandbox, type YeastarSandbox } from "../src/sandbox/yeastar/server.js";
import { FileStore } from "../src/store/index.js";
import { assertBundleExists, errorLines, expectNoSecrets, runAction, type ActionRun } from "./support/action.js";

// `config: certrelay.yml` + `store-dir`: the pipeline deploys the stored certificate to every target in one step.
describe("action config run over several targets", () => {
  let ca: TestCA;
  let cdn: CdnSandbox;
  let pbx: YeastarSandbox;
  let dir: string;
  let material: CertificateMaterial;
  let dryRun: ActionRun;
  let first: ActionRun;
  let second: ActionRun;

  beforeAll(async () => {
    assertBundleExists();
    ca = await TestCA.create({ name: "Action Config" });
    [cdn, pbx] = await Promise.all([startCdnSandbox({ ca }), startYeastarSandbox({ ca })]);
    material = await ca.issue({ commonName: "www.example.com", days: 90 });
    dir = mkdtempSync(join(tmpdir(), "certrelay-action-config-"));
    const store = new FileStore({ dir: join(dir, "store") });
    await store.putCurrent("certrelay/www", material);
    await store.putCredentials("certrelay/cdn", cdn.credentials);
    await store.putCredentials("certrelay/pbx", pbx.credentials);
    const configPath = join(dir, "certrelay.yml");
    writeFileSync(
      configPath,
      [
        "certificates:",
        "  - name: www",
        "    secret: certrelay/www",
        "    targets:",
        `      - { provider: cdn, endpoint: "${cdn.url}", credentials: certrelay/cdn, verifyHost: www.example.com, verifyAddress: "127.0.0.1:${cdn.edgePort}" }`,
        `      - { provider: yeastar, endpoint: "${pbx.url}", credentials: certrelay/pbx }`,
        "",
      ].join("\n"),
    );
    const inputs = { config: configPath, "store-dir": join(dir, "store"), "ca-certificate": ca.rootPem };
    // edge-wait-seconds bounds only a single cdn deploy; a config run's waits (its edge probes too) draw on wait-seconds
    dryRun = await runAction({ ...inputs, "dry-run": "true", "edge-wait-seconds": "900" });
    first = await runAction(inputs);
    second = await runAction(inputs);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([cdn?.stop(), pbx?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a dry run first says it would deploy, and writes nothing", () => {
    expect(errorLines(dryRun), dryRun.stdout).toEqual([]);
    expect(dryRun.code).toBe(0);
    expect(dryRun.outputs.status).toBe("would-deploy");
    expect(dryRun.outputs.changed).toBe("false");
    expect(dryRun.outputs.message).toMatch(/would-deploy/);
  });

  it("an edge-wait-seconds given to a config run is reported as unused, not silently ignored", () => {
    const unused = dryRun.stdout
      .split("\n")
      .filter((line) => line.startsWith("::warning title=certrelay unused input::"));
    expect(unused.join("\n"), dryRun.stdout).toContain("input 'edge-wait-seconds' is set but not used by a config run");
  });

  it("deploys to every target and summarises each with its validity", () => {
    expect(errorLines(first), first.stdout).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.outputs.changed).toBe("true");
    expect(cdn.uploadCount).toBe(1);
    expect(first.summary).toContain(`cdn ${cdn.url}`);
    expect(first.summary).toMatch(/yeastar/);
    expect(first.summary).toContain("```mermaid\ngantt");
  });

  it("a second run finds every target up to date", () => {
    expect(second.code).toBe(0);
    expect(second.outputs.changed).toBe("false");
    expect(cdn.uploadCount).toBe(1);
  });

  it("keeps the stored key and credentials out of logs and summary", () => {
    for (const run of [first, second])
      expectNoSecrets(run, [material.privateKey, cdn.credentials.accessKeySecret, pbx.credentials.password]);
  });
});

// A dry run over certificates that are due: the status says what a real run would do (renew, then deploy), as its
// message does, not "unchanged".
describe("action config dry run over due certificates", () => {
  let ca: TestCA;
  let reseller: ResellerSandbox;
  let cdn: CdnSandbox;
  let dir: string;
  let run: ActionRun;

  beforeAll(async () => {
    assertBundleExists();
    ca = await TestCA.create({ name: "Action Config Dry" });
    [reseller, cdn] = await Promise.all([startResellerSandbox({ ca }), startCdnSandbox({ ca, edge: false })]);
    dir = mkdtempSync(join(tmpdir(), "certrelay-action-config-dry-"));
    const store = new FileStore({ dir: join(dir, "store") });
    const now = Date.now();
    const names = ["a", "b", "c"];
    for (const name of names) {
      // 90-day certificates with 10 days left: due (renewBeforeDays 30)
      const material = await ca.issue({
        commonName: `${name}.example.com`,
        notBefore: new Date(now - 80 * 86_400_000),
        notAfter: new Date(now + 10 * 86_400_000),
      });
      await store.putCurrent(`certrelay/${name}`, material);
    }
    await store.putCredentials("certrelay/reseller", reseller.credentials);
    await store.putCredentials("certrelay/cdn", cdn.credentials);
    const configPath = join(dir, "certrelay.yml");
    writeFileSync(
      configPath,
      [
        "certificates:",
        ...names.flatMap((name) => [
          `  - name: ${name}`,
          `    secret: certrelay/${name}`,
          `    commonName: ${name}.example.com`,
          `    issuer: { provider: reseller, endpoint: "${reseller.url}", credentials: certrelay/reseller, plan: ${DEFAULT_PLANS[0]?.id ?? ""}, dcvType: DNS }`,
          "    targets:",
          `      - { provider: cdn, endpoint: "${cdn.url}", credentials: certrelay/cdn }`,
        ]),
        "",
      ].join("\n"),
    );
    run = await runAction({
      config: configPath,
      "store-dir": join(dir, "store"),
      "ca-certificate": ca.rootPem,
      "dry-run": "true",
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([reseller?.stop(), cdn?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reports would-deploy, not unchanged, and buys and uploads nothing", () => {
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.message).toMatch(/3 would-renew/);
    expect(run.outputs.status).toBe("would-deploy");
    expect(run.outputs.changed).toBe("false");
    expect(reseller.purchases).toBe(0);
    expect(cdn.uploadCount).toBe(0);
    expectNoSecrets(run, [reseller.credentials.apiKey, cdn.credentials.accessKeySecret]);
  });
});
