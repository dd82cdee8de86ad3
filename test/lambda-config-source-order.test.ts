import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFleetConfig } from "../src/fleet/config-source.js";

const yamlFor = (name: string) =>
  `certificates:\n  - name: ${name}\n    secret: certrelay/${name}\n    targets:\n      - provider: cdn\n        endpoint: https://cdn.example\n        credentials: certrelay/cdn\n        verifyHost: ${name}.example.com\n`;

describe("the Lambda finds certrelay.yml: inline YAML, then CERTRELAY_CONFIG, then the bundled file", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "certrelay-config-"));
    writeFileSync(join(root, "certrelay.yml"), yamlFor("bundled"));
    writeFileSync(join(root, "other.yml"), yamlFor("bypath"));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const bundledPaths = () => [join(root, "missing", "certrelay.yml"), join(root, "certrelay.yml")];

  it("prefers CERTRELAY_CONFIG_YAML", async () => {
    const loaded = await loadFleetConfig({
      inlineYaml: yamlFor("inline"),
      path: "other.yml",
      root,
      bundledPaths: bundledPaths(),
    });
    expect(loaded.source).toBe("CERTRELAY_CONFIG_YAML");
    expect(loaded.config.certificates.map((c) => c.name)).toEqual(["inline"]);
  });

  it("then a CERTRELAY_CONFIG path, relative to the task root", async () => {
    const loaded = await loadFleetConfig({ inlineYaml: "  ", path: "other.yml", root, bundledPaths: bundledPaths() });
    expect(loaded.source).toBe(join(root, "other.yml"));
    expect(loaded.config.certificates.map((c) => c.name)).toEqual(["bypath"]);
  });

  it("then the first bundled file that exists", async () => {
    const loaded = await loadFleetConfig({ root, bundledPaths: bundledPaths() });
    expect(loaded.config.certificates.map((c) => c.name)).toEqual(["bundled"]);
  });

  it("says where it looked and how to fix it when there is none", async () => {
    await expect(
      loadFleetConfig({ root, bundledPaths: [join(root, "missing", "certrelay.yml")] }),
    ).rejects.toMatchObject({
      code: "INPUT_MISSING",
      message: expect.stringContaining("CERTRELAY_CONFIG_YAML (the YAML)"),
    });
  });

  it("reports a broken inline config by the variable's name", async () => {
    await expect(loadFleetConfig({ inlineYaml: "certificates: []\n", root, bundledPaths: [] })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringContaining("CERTRELAY_CONFIG_YAML"),
    });
  });
});
