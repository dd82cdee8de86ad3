import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorld, type DemoWorld } from "../src/demo/world.js";
import { certFacts } from "../src/x509/index.js";
import { certrelay } from "./support/cli.js";

let dir: string;
let world: DemoWorld;
let common: string[];
let staticSerial: string;

/** Requests that change something at a vendor (token requests excluded: they change nothing the user owns). */
function writes(): Record<string, number> {
  const all: Record<string, number> = {};
  for (const server of [world.sandbox.yeastar, world.sandbox.enos, world.sandbox.cdn, world.sandbox.reseller]) {
    for (const [route, n] of Object.entries(server.stats().byRoute)) {
      const write = /^(POST|PUT|PATCH|DELETE) /.test(route) || route.includes("/certificate/delete");
      if (write && !/token/.test(route)) all[`${server.name} ${route}`] = n;
    }
  }
  return all;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-dry-run-"));
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
  // the store moves on (someone imported a new static certificate): the CDN does not serve it yet
  const fresh = await world.sandbox.ca.issue({ commonName: "static.example.com", days: 90 });
  await world.store.putCurrent("demo/static", fresh);
  staticSerial = certFacts(fresh.certificate).serial;
});

afterAll(async () => {
  await world?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("dry runs write nothing", () => {
  it("deploy --dry-run shows what would be deployed and sends no write", async () => {
    const before = writes();
    const run = await certrelay(["deploy", ...common, "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/static\s+would-deploy/);
    expect(run.stdout).toContain("dry run, nothing written");
    expect(writes()).toEqual(before);
    expect(world.sandbox.cdn.findBySerial(staticSerial)).toHaveLength(0);
  });

  it("renew --dry-run shows what would be renewed, buys nothing and stores nothing", async () => {
    const before = writes();
    const run = await certrelay(["renew", ...common, "--dry-run", "--json"]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { dryRun: boolean; reports: Array<{ name: string; action: string }> };
    expect(result.dryRun).toBe(true);
    const action = (name: string) => result.reports.find((r) => r.name === name)?.action;
    expect(action("www")).toBe("would-renew");
    expect(action("api")).toBe("would-renew");
    expect(action("device-42")).toBe("would-renew");
    expect(action("static")).toBe("would-deploy");
    expect(writes()).toEqual(before);
    expect(await world.store.getPending("demo/www")).toBeUndefined();
  });

  it("deploy --only static then uploads exactly that certificate, and buys nothing for the due ones", async () => {
    const uploads = world.sandbox.cdn.uploadCount;
    const run = await certrelay(["deploy", ...common, "--only", "static"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/static\s+deployed/);
    expect(world.sandbox.cdn.uploadCount).toBe(uploads + 1);
    expect(world.sandbox.cdn.findBySerial(staticSerial)).toHaveLength(1);
    expect(await world.store.getPending("demo/www")).toBeUndefined();
  });
});
