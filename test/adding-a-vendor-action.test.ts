/**
 * docs/adding-a-vendor.md, the Action's half: the test-only sixth provider (test/providers/sixth/, one folder) in the
 * list the Action is given is a provider the Action reads inputs for, masks the secret input of, and deploys and
 * applies with, while nothing in action/ or src/ names it. The built-in Action (no list passed) does not know it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ACTION_INPUTS, actionInputs, getSettings } from "../action/inputs.js";
import { run } from "../action/main.js";
import { builtInProviders } from "../src/providers/index.js";
import { TestCA } from "../src/sandbox/ca.js";
import { FileStore } from "../src/store/index.js";
import { parseOutputs } from "./support/action.js";
import { definition as vault } from "./providers/sixth/index.js";
import { MemoryVault } from "./providers/sixth/vault.js";

/** the one line a new vendor adds to src/providers/index.ts, here as the list the test passes in */
const providers = [...builtInProviders, vault];

let ca: TestCA;
let edge: MemoryVault;
let pki: MemoryVault;
const closers: (() => void)[] = [];
const dir = mkdtempSync(join(tmpdir(), "certrelay-sixth-action-"));

beforeAll(async () => {
  ca = await TestCA.create({ name: "sixth" });
  edge = new MemoryVault("edge-a", ca, () => new Date());
  pki = new MemoryVault("pki-web", ca, () => new Date());
  closers.push(edge.open(), pki.open());
});

afterAll(() => {
  for (const close of closers) close();
  rmSync(dir, { recursive: true, force: true });
});

const saved = { ...process.env };
afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Set the inputs the way the runner does (`INPUT_<NAME>`, hyphens kept) for this process. */
function given(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

/** Run the Action in this process with the longer list; what it printed and the outputs it wrote. */
async function runWith(inputs: Record<string, string>): Promise<{ stdout: string; outputs: Record<string, string> }> {
  const outputFile = join(dir, `output-${Math.random().toString(36).slice(2)}`);
  writeFileSync(outputFile, "");
  process.env.GITHUB_OUTPUT = outputFile;
  delete process.env.GITHUB_STEP_SUMMARY;
  given(inputs);
  let stdout = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  await run(providers);
  vi.restoreAllMocks();
  return { stdout, outputs: parseOutputs(readFileSync(outputFile, "utf8")) };
}

describe("a sixth vendor in the Action's provider list", () => {
  it("its inputs are Action inputs with the list, and not without it", () => {
    const inputs = actionInputs(providers);
    for (const name of ["vault-mount", "vault-ttl-days", "vault-role-id", "vault-secret-id"]) {
      expect(inputs).toContain(name);
      expect(ACTION_INPUTS).not.toContain(name);
    }
    // the common inputs stay, once each
    expect(inputs.filter((name) => name === "certificate")).toHaveLength(1);
  });

  it("its inputs are read into the request under its own field names", () => {
    given({
      provider: "vault",
      operation: "apply",
      "vault-mount": "pki-web",
      "vault-ttl-days": "30",
      "vault-role-id": pki.roleId,
      "vault-secret-id": pki.secretId,
    });
    const settings = getSettings(providers);
    expect(settings.run.kind).toBe("single");
    if (settings.run.kind !== "single") return;
    // ttlDays is a number in its config schema, so its input is read as one
    expect(settings.run.request.vendor).toMatchObject({
      provider: "vault",
      mount: "pki-web",
      ttlDays: 30,
      roleId: pki.roleId,
      secretId: pki.secretId,
    });
    // it names no endpoint input, so none is required, and nothing it reads is reported unused
    expect(settings.unused).toEqual([]);
  });

  it("deploys with it: secret input masked, certificate written and verified, outputs set", async () => {
    const material = await ca.issue({ commonName: "www.example.com", days: 60 });
    const { stdout, outputs } = await runWith({
      provider: "vault",
      operation: "deploy",
      "vault-mount": "edge-a",
      "vault-role-id": edge.roleId,
      "vault-secret-id": edge.secretId,
      certificate: material.certificate,
      "private-key": material.privateKey,
      chain: material.chain ?? "",
    });
    expect(stdout).not.toContain("::error");
    // masked before anything else is printed: the runner hides it from every later log line
    expect(stdout.split("\n")[0]).toContain("::add-mask::");
    expect(stdout).toContain(`::add-mask::${edge.secretId}`);
    expect(outputs.status).toBe("deployed");
    expect(outputs.changed).toBe("true");
    expect(edge.served).toBe(outputs["serial-number"]);
    expect(edge.writes).toBe(1);
    expect(stdout).toContain("deployed certificate");
  });

  it("applies with it: the vault signs a CSR for a fresh key, handed back masked", async () => {
    const { stdout, outputs } = await runWith({
      provider: "vault",
      operation: "apply",
      "vault-mount": "pki-web",
      "vault-role-id": pki.roleId,
      "vault-secret-id": pki.secretId,
      "common-name": "api.example.com",
    });
    expect(stdout).not.toContain("::error");
    expect(outputs.status).toBe("issued");
    expect(outputs.certificate).toContain("BEGIN CERTIFICATE");
    expect(pki.signings).toBe(1);
    const keyLine = (outputs["private-key"] ?? "").split("\n")[1] ?? "";
    expect(keyLine.length).toBeGreaterThan(16);
    expect(stdout).toContain(`::add-mask::${keyLine}`);
  });

  it("a certrelay.yml naming it runs through the Action: issued by one vault, deployed to another", async () => {
    const issuing = new MemoryVault("pki-config", ca, () => new Date());
    const serving = new MemoryVault("edge-config", ca, () => new Date());
    closers.push(issuing.open(), serving.open());
    const storeDir = join(dir, "store");
    await new FileStore({ dir: storeDir }).putCredentials("certrelay/vault", {
      roleId: issuing.roleId,
      secretId: issuing.secretId,
    });
    const configPath = join(dir, "certrelay.yml");
    writeFileSync(
      configPath,
      `certificates:
  - name: www
    secret: certrelay/www
    commonName: www.example.com
    issuer: { provider: vault, credentials: certrelay/vault, mount: pki-config, ttlDays: 30 }
    targets:
      - { provider: vault, credentials: certrelay/vault, mount: edge-config }
`,
    );
    const { stdout, outputs } = await runWith({ config: configPath, "store-dir": storeDir });
    expect(stdout).not.toContain("::error");
    expect(outputs.status).toBe("deployed");
    expect(issuing.signings).toBe(1);
    expect(serving.served).toBeDefined();
    expect(serving.writes).toBe(1);
  });

  it("a refused login names its credential inputs", async () => {
    const { stdout, outputs } = await runWith({
      provider: "vault",
      operation: "check",
      "vault-mount": "edge-a",
      "vault-role-id": edge.roleId,
      "vault-secret-id": "wrong-secret",
    });
    expect(outputs["error-code"]).toBe("AUTH_FAILED");
    expect(outputs.message).toContain("check inputs 'vault-role-id' and 'vault-secret-id'");
    // handed to the runner's masker, and printed nowhere else
    expect(stdout).toContain("::add-mask::wrong-secret");
    expect(
      stdout
        .split("\n")
        .filter((line) => !line.startsWith("::add-mask::"))
        .join("\n"),
    ).not.toContain("wrong-secret");
  });
});
