import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certrelay, requireBuiltCli, ROOT } from "./support/cli.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-sandbox-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function waitForFile(path: string): Promise<void> {
  // bounded, generously: six engineers' tests share two cores; the file is renamed into place, so once it exists
  // it is whole
  for (let i = 0; i < 1_200 && !existsSync(path); i += 1) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(path)) throw new Error(`${path} did not appear within 60 s`);
}

describe("certrelay sandbox", () => {
  it("serves the four sandboxes and a seeded demo until SIGTERM, then exits 0", { timeout: 120_000 }, async () => {
    requireBuiltCli();
    const portFile = join(dir, "sandbox.json");
    const demo = join(dir, "demo");
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin/certrelay.js"), "sandbox", "--port-file", portFile, "--demo-dir", demo],
      { env: { ...process.env, NO_COLOR: "1" } },
    );
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await waitForFile(portFile);
      const described = JSON.parse(await readFile(portFile, "utf8"));
      expect(Object.keys(described.urls)).toEqual(["yeastar", "enos", "cdn", "reseller", "edge"]);
      expect(described.ca).toContain("-----BEGIN CERTIFICATE-----");
      expect(described.credentials.cdn).toEqual({
        accessKeyId: "SFDDEMOACCESSKEY",
        accessKeySecret: "sfd-demo-secret-not-for-production",
      });
      // the printed walk-through works against the running sandbox
      const check = await certrelay([
        "check",
        "--config",
        join(demo, "certrelay.yml"),
        "--store-dir",
        join(demo, "store"),
        "--ca-file",
        join(demo, "ca.pem"),
        "--json",
      ]);
      expect(check.code).toBe(1);
      expect(
        JSON.parse(check.stdout).rows.filter((r: { status: string }) => r.status === "due").length,
      ).toBeGreaterThan(0);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain("Press Ctrl-C to stop.");
    expect(stdout).toContain("SIGTERM: stopping the sandboxes");
  });
});
