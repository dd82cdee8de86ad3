import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorld, DEMO_SECRETS, type DemoWorld } from "../src/demo/world.js";
import { certrelay } from "./support/cli.js";

interface Row {
  certificate: string;
  where: string;
  status: string;
  error?: { code: string; message: string; field?: string };
}

let dir: string;
let world: DemoWorld;
let common: string[];
let keyId: string;
let secretFile: string;

// A CLI user keeps vendor credentials in a store secret, so a missing one is named as that secret's JSON key
// (accessKeySecret) and the secret's id, never as the Action input (access-key-secret) this user has no use for.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-missing-credential-"));
  world = await createDemoWorld({ dir });
  common = ["--config", world.configPath, "--store-dir", world.storeDir, "--ca-file", world.caPath];
  secretFile = join(world.storeDir, `${encodeURIComponent(DEMO_SECRETS.cdn)}.json`);
  const stored = JSON.parse(await readFile(secretFile, "utf8")) as { current: Record<string, string> };
  keyId = stored.current.accessKeyId ?? "";
  delete stored.current.accessKeySecret;
  await writeFile(secretFile, JSON.stringify(stored));
}, 60_000);

afterAll(async () => {
  await world?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a credentials secret without a field its provider reads", () => {
  const expected =
    "credentials secret 'demo/cdn' has no accessKeySecret, which provider cdn reads (expected the SwiftFederation access key secret): add \"accessKeySecret\" to that secret's JSON";

  it("check --json names the secret and its JSON key as field, and still checks the other vendors", async () => {
    const run = await certrelay(["check", ...common, "--json"]);
    expect(run.code).toBe(1);
    const rows = (JSON.parse(run.stdout) as { rows: Row[] }).rows;
    const www = rows.find((r) => r.certificate === "www" && r.where === "targets");
    expect(www).toMatchObject({
      status: "error",
      error: { code: "INPUT_MISSING", field: "accessKeySecret", message: expected },
    });
    // device-42 lives on EnOS, whose credentials are intact
    expect(rows.some((r) => r.certificate === "device-42" && r.where.startsWith("enos") && !r.error)).toBe(true);
    expect(run.stdout + run.stderr).not.toContain("access-key-secret");
  });

  it("the table says the same in words, without the Action's input name or any credential value", async () => {
    const run = await certrelay(["check", ...common]);
    expect(run.code).toBe(1);
    const text = (run.stdout + run.stderr).replace(/\s*[│|]\s*/g, " ").replace(/\s+/g, " ");
    expect(text).toContain("credentials secret 'demo/cdn' has no accessKeySecret");
    expect(text).toContain('add "accessKeySecret" to that secret\'s JSON');
    expect(text).not.toContain("access-key-secret");
    expect(run.stdout + run.stderr).not.toContain(keyId);
  });

  it("a refused signature names the secret's fields too, never the Action's inputs", async () => {
    const stored = JSON.parse(await readFile(secretFile, "utf8")) as { current: Record<string, string> };
    const wrong = "Wrong-Cdn-Secret-7731";
    stored.current.accessKeySecret = wrong;
    await writeFile(secretFile, JSON.stringify(stored));
    const run = await certrelay(["check", ...common, "--json"]);
    expect(run.code).toBe(1);
    const rows = (JSON.parse(run.stdout) as { rows: Row[] }).rows;
    const refused = rows.find((r) => r.certificate === "www" && r.error?.code === "AUTH_FAILED");
    expect(refused?.error?.message).toContain("check the access key id and secret, and the machine clock");
    expect(refused?.error?.message).toContain(
      "check the fields 'accessKeyId' and 'accessKeySecret' of the credentials secret 'demo/cdn'",
    );
    expect(run.stdout + run.stderr).not.toMatch(/access-key-(id|secret)/);
    expect(run.stdout + run.stderr).not.toContain(wrong);
  });
});
