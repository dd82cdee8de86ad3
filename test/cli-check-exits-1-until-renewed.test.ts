import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorld, type DemoWorld } from "../src/demo/world.js";
import { certrelay } from "./support/cli.js";

let dir: string;
let world: DemoWorld;
let common: string[];

interface Row {
  certificate: string;
  where: string;
  daysLeft?: number;
  status: string;
  serial?: string;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-check-"));
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
});

afterAll(async () => {
  await world?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("certrelay check, then renew, then check", () => {
  it("check exits 1 and lists the store and every target copy, most urgent first, due ones marked", async () => {
    const run = await certrelay(["check", ...common, "--json"]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as { ok: boolean; rows: Row[] };
    expect(result.ok).toBe(false);
    const store = (name: string) => result.rows.find((r) => r.certificate === name && r.where === "store");
    expect(store("device-42")).toMatchObject({ daysLeft: 1, status: "due" });
    expect(store("www")).toMatchObject({ daysLeft: 10, status: "due" });
    expect(store("api")).toMatchObject({ daysLeft: 12, status: "due" });
    expect(store("static")).toMatchObject({ daysLeft: 60, status: "ok" });
    // www is on the CDN and the PBX: each copy is a row with the serial the target holds
    const wwwCopies = result.rows.filter((r) => r.certificate === "www" && r.where !== "store");
    expect(wwwCopies).toHaveLength(2);
    for (const copy of wwwCopies)
      expect(copy).toMatchObject({ serial: store("www")?.serial, daysLeft: 10, status: "due" });
    const days = result.rows.map((r) => r.daysLeft ?? -1);
    expect(days).toEqual([...days].sort((a, b) => a - b));

    const text = await certrelay(["check", ...common]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/www\s+│ store\s+│.*│\s+10 │\s+30 │ due/);
    expect(text.stdout).toContain("need attention: run certrelay renew");
  });

  it("renew renews the three due certificates and leaves the other alone", async () => {
    const run = await certrelay(["renew", ...common]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\[\d\/4\] www\s+renewed/);
    expect(run.stdout).toMatch(/\[\d\/4\] api\s+renewed/);
    expect(run.stdout).toMatch(/\[\d\/4\] device-42\s+renewed/);
    expect(run.stdout).toMatch(/\[\d\/4\] static\s+ok/);
    expect(run.stdout).toContain("4 certificates: 3 renewed, 1 unchanged");
  });

  it("check exits 0 once every copy is outside its renewal window", async () => {
    const run = await certrelay(["check", ...common, "--json"]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { ok: boolean; rows: Row[] };
    expect(result.ok).toBe(true);
    expect(result.rows.every((r) => r.status === "ok")).toBe(true);
    expect(result.rows.find((r) => r.certificate === "www" && r.where === "store")?.daysLeft).toBeGreaterThan(30);
  });
});
