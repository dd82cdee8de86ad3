import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../src/sandbox/cdn/server.js";
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
    first = await runAction(inputs);
    second = await runAction(inputs);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([cdn?.stop(), pbx?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
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
