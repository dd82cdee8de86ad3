import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorld, type DemoWorld } from "../src/demo/world.js";
import { certrelay } from "./support/cli.js";

interface Report {
  name: string;
  action: string;
  due: boolean;
  detail?: string;
}

/** The environment without any AWS credentials a developer machine may have. */
const NO_AWS: Record<string, string> = {
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_SESSION_TOKEN: "",
  AWS_PROFILE: "",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
  AWS_CONFIG_FILE: "/nonexistent",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_REGION: "us-east-1",
};

let dir: string;
let world: DemoWorld;
let common: string[];
let closedPort: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-truth-"));
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
  // a port that was free a moment ago: nothing listens there
  const probe: Server = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}, 60_000);

afterAll(async () => {
  await world?.stop();
  await rm(dir, { recursive: true, force: true });
});

// What the CLI says is what happened: counts, reasons, usage errors and causes a user can act on.
describe("certrelay reports tell the truth", () => {
  it("-v and -q together are a usage error", async () => {
    const run = await certrelay(["check", ...common, "-v", "-q"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--verbose and --quiet contradict each other");
  });

  it("--verbose says what it read: the config, how much is in it, and the store", async () => {
    const run = await certrelay(["check", ...common, "--verbose"]);
    expect(run.stderr).toMatch(/config read file=\S+certrelay\.yml certificates=4 targets=\d+/);
    expect(run.stderr).toMatch(/store kind=file dir=\S+/);
    expect(run.stderr).toContain("extra trusted CA read");
  });

  it("csr --cn 'bad name!' is refused and writes nothing", async () => {
    const out = join(dir, "csr-out");
    const run = await certrelay(["csr", "--cn", "bad name!", "--out", out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error INPUT_INVALID: --cn expects a DNS name/);
    expect(existsSync(out)).toBe(false);
  });

  it("a missing file is the same usage error for inspect and for check -c", async () => {
    const inspect = await certrelay(["inspect", join(dir, "missing.pem")]);
    const check = await certrelay(["check", "-c", join(dir, "missing.yml")]);
    expect(inspect.code).toBe(2);
    expect(check.code).toBe(2);
    expect(inspect.stderr).toMatch(/^error INPUT_MISSING: .*missing\.pem not found/);
    expect(check.stderr).toMatch(/^error INPUT_MISSING: --config .*missing\.yml not found/);
  });

  it("--aws-endpoint is validated before anything runs", async () => {
    for (const bad of [
      "ftp://127.0.0.1:5000",
      "not a url",
      "http://127.0.0.1:99999",
      "http://127.0.0.1:5000/some/path",
    ]) {
      const run = await certrelay(["check", ...common, "--aws-endpoint", bad]);
      expect(run.code, bad).toBe(2);
      expect(run.stderr, bad).toMatch(/^error INPUT_INVALID: --aws-endpoint /);
    }
  });

  it("AWS errors name the cause: no credentials, or an endpoint nobody answers on", async () => {
    const noCredentials = await certrelay(
      ["check", ...common, "--aws-endpoint", `http://127.0.0.1:${closedPort}`, "--json"],
      { env: NO_AWS },
    );
    expect(noCredentials.stdout).toContain("no AWS credentials found");
    const unreachable = await certrelay(
      ["check", ...common, "--aws-endpoint", `http://127.0.0.1:${closedPort}`, "--json"],
      { env: { ...NO_AWS, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" } },
    );
    expect(unreachable.stdout).toContain("endpoint is unreachable (ECONNREFUSED)");
    // the CLI's own flags, not the Lambda's environment variable
    expect(unreachable.stdout).toContain("check --aws-endpoint and --aws-region, and that the service");
    expect(unreachable.stdout).not.toContain("AWS_ENDPOINT_URL");
    for (const run of [noCredentials, unreachable]) expect(run.stdout).not.toMatch(/failed for secret '[^']+': Error"/);
  });

  it("deploy --dry-run does not claim 'no issuer' for a certificate that has one", async () => {
    const run = await certrelay(["deploy", ...common, "--dry-run", "--json"]);
    const reports = (JSON.parse(run.stdout) as { reports: Report[] }).reports;
    const www = reports.find((r) => r.name === "www");
    expect(www?.due).toBe(true);
    expect(www?.detail).toContain("run certrelay renew");
    for (const r of reports) expect(r.detail ?? "").not.toContain("no issuer");
  });

  it("a target holding a later certificate than the store is not called 'older than store'", async () => {
    // the store goes back to an older certificate for static (its own key): the CDN still holds the later one
    const current = await world.store.getCurrent("demo/static");
    expect(current).toBeDefined();
    const older = await world.sandbox.ca.issue({
      commonName: "static.example.com",
      sans: ["static.example.com"],
      days: 40,
    });
    await world.store.putCurrent("demo/static", older);
    const json = await certrelay(["check", ...common, "--json"]);
    const rows = (
      JSON.parse(json.stdout) as { rows: { certificate: string; where: string; stale?: boolean; detail?: string }[] }
    ).rows;
    const onCdn = rows.find((r) => r.certificate === "static" && r.where !== "store");
    expect(onCdn?.stale).toBeUndefined();
    expect(onCdn?.detail).toContain("the store is behind this target");
    const table = await certrelay(["check", ...common]);
    const staticLines = table.stdout.split("\n").filter((l) => l.includes("static") && !l.includes("store "));
    for (const line of staticLines) expect(line).not.toContain("older than store");
    if (current) await world.store.putCurrent("demo/static", current);
  });

  it("progress counts follow --only, and a renewed certificate is reported due", async () => {
    const run = await certrelay(["renew", ...common, "--only", "api"]);
    expect(run.stdout).toMatch(/\[1\/1\] api\s+renewed/);
    expect(run.stdout).not.toMatch(/\[\d\/4\]/);
    const json = await certrelay(["renew", ...common, "--only", "www", "--json"]);
    const reports = (JSON.parse(json.stdout) as { reports: Report[] }).reports;
    expect(reports.map((r) => r.name)).toEqual(["www"]);
    expect(reports[0]).toMatchObject({ action: "renewed", due: true });
  }, 60_000);
});
