import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorld, type DemoWorld } from "../src/demo/world.js";
import { certrelay } from "./support/cli.js";

interface Row {
  certificate: string;
  where: string;
  status: string;
  error?: { code: string; message: string };
}

interface Report {
  name: string;
  action: string;
  error?: { code: string; message: string };
}

let dir: string;
let world: DemoWorld;
let common: string[];

function secretFile(id: string): string {
  return join(world.storeDir, `${encodeURIComponent(id)}.json`);
}

async function editSecret(id: string, edit: (current: Record<string, unknown>) => void): Promise<void> {
  const file = JSON.parse(await readFile(secretFile(id), "utf8")) as { current: Record<string, unknown> };
  edit(file.current);
  await writeFile(secretFile(id), JSON.stringify(file));
}

// The demo fleet with three broken store entries: a key that belongs to another certificate (api), a missing field
// (device-42), and a file that is not JSON at all (static). www is fine and must be served whatever the others do.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-one-bad-"));
  world = await createDemoWorld({ dir });
  common = [
    "--config",
    world.configPath,
    "--store-dir",
    world.storeDir,
    "--ca-file",
    world.caPath,
    "--poll-interval",
    "20",
    "--poll-timeout",
    "5000",
  ];
  const otherKey = String(
    generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }),
  );
  await editSecret("demo/api", (current) => (current.privateKey = otherKey));
  await editSecret("demo/device-42", (current) => delete current.privateKey);
  await writeFile(secretFile("demo/static"), "{ this is not json");
}, 60_000);

afterAll(async () => {
  await world?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("one bad certificate never stops the others", () => {
  it("check reports each broken entry by field, in the table too, and still checks www", async () => {
    const json = await certrelay(["check", ...common, "--json"]);
    expect(json.code).toBe(1);
    const rows = (JSON.parse(json.stdout) as { rows: Row[] }).rows;
    const store = (name: string) => rows.find((r) => r.certificate === name && r.where === "store");
    expect(store("api")).toMatchObject({
      status: "error",
      error: {
        code: "KEY_MISMATCH",
        message: expect.stringContaining("secret demo/api field privateKey does not belong"),
      },
    });
    expect(store("device-42")).toMatchObject({
      status: "error",
      error: { code: "STORE_ERROR", message: expect.stringContaining("missing field privateKey") },
    });
    // the fix names this certificate, and a broken file says what to do with it (no command rewrites one)
    expect(store("api")?.error?.message).toMatch(/or issue a new one with certrelay renew --force --only api$/);
    expect(store("static")).toMatchObject({
      status: "error",
      error: {
        code: "STORE_ERROR",
        message: expect.stringMatching(/static\.json does not hold valid JSON: restore it from a backup, or delete it/),
      },
    });
    expect(store("static")?.error?.message).toContain("certrelay renew issues a certificate whose secret is missing");
    expect(store("www")?.status).toMatch(/^(ok|due)$/);
    expect(rows.filter((r) => r.certificate === "www" && r.where !== "store")).toHaveLength(2);

    const table = await certrelay(["check", ...common]);
    expect(table.stdout).toContain("KEY_MISMATCH: secret demo/api field privateKey does not belong");
    expect(table.stdout).toContain("missing field privateKey");
  });

  it("deploy --dry-run shows the wrong key before any write, and still plans www", async () => {
    const uploadsBefore = world.sandbox.cdn.uploadCount;
    const run = await certrelay(["deploy", ...common, "--dry-run", "--json"]);
    const summary = JSON.parse(run.stdout) as { reports: Report[] };
    const report = (name: string) => summary.reports.find((r) => r.name === name);
    expect(report("api")).toMatchObject({ action: "failed", error: { code: "KEY_MISMATCH" } });
    expect(report("device-42")).toMatchObject({
      action: "failed",
      error: { message: expect.stringContaining("missing field privateKey") },
    });
    expect(report("static")).toMatchObject({ action: "failed", error: { code: "STORE_ERROR" } });
    expect(report("www")?.action).not.toBe("failed");
    expect(world.sandbox.cdn.uploadCount).toBe(uploadsBefore);
    const table = await certrelay(["deploy", ...common, "--dry-run"]);
    expect(table.stdout).toContain("KEY_MISMATCH: secret demo/api field privateKey");
  });

  it("deploy goes on with www and exits 1 for the broken ones", async () => {
    const run = await certrelay(["deploy", ...common, "--json"]);
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout) as { reports: Report[] };
    expect(summary.reports.map((r) => r.name).sort()).toEqual(["api", "device-42", "static", "www"]);
    expect(summary.reports.find((r) => r.name === "www")?.action).toMatch(/^(deployed|none)$/);
  });

  it("renew goes on with the others when one entry is unreadable", async () => {
    const run = await certrelay(["renew", ...common, "--json"]);
    const summary = JSON.parse(run.stdout) as { reports: Report[] };
    expect(summary.reports.map((r) => r.name).sort()).toEqual(["api", "device-42", "static", "www"]);
    expect(summary.reports.find((r) => r.name === "static")).toMatchObject({
      action: "failed",
      error: { code: "STORE_ERROR" },
    });
    expect(summary.reports.find((r) => r.name === "www")?.action).toBe("renewed");
    for (const text of [run.stdout, run.stderr]) expect(text).not.toContain("BEGIN");
  });
});
