/**
 * The demo deployed without --ca-file: the CDN edge serves the expected certificate, but its chain leads to the
 * sandbox's test CA, which this run does not trust. Scratch output, a one-off user: what they see must say that,
 * without contradicting itself, and name the flag that fixes it. Built CLI.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorld, type DemoWorld } from "../src/demo/world.js";
import { certrelay } from "./support/cli.js";

let dir: string;
let world: DemoWorld;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-untrusted-edge-"));
  world = await createDemoWorld({ dir });
}, 60_000);

afterAll(async () => {
  await world?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface TargetReport {
  provider: string;
  status: string;
  error?: { code: string; message: string };
}

const untrusted =
  /serves [0-9A-F]+ as expected, but its chain is not trusted here \(SELF_SIGNED_CERT_IN_CHAIN\): if the certificate comes from a private or test CA, trust that CA with --ca-file; otherwise upload the certificate with its intermediate certificates/;

describe("deploy to an edge whose chain this run does not trust", () => {
  it("says the edge serves the certificate but its chain is untrusted, names --ca-file, in the human output too", async () => {
    const args = ["deploy", "--config", world.configPath, "--store-dir", world.storeDir, "--only", "static"];
    const human = await certrelay(args);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/static\s+failed .*VERIFY_FAILED: could not confirm or deploy/);
    expect(human.stdout).toMatch(untrusted);
    expect(human.stdout).not.toContain("does not serve");

    const json = await certrelay([...args, "--json"]);
    const { reports } = JSON.parse(json.stdout) as {
      reports: { name: string; error?: { message: string }; targets: TargetReport[] }[];
    };
    const cdn = reports[0]?.targets.find((t) => t.provider === "cdn");
    expect(cdn).toMatchObject({ status: "failed", error: { code: "VERIFY_FAILED" } });
    expect(cdn?.error?.message).toMatch(untrusted);
    expect(cdn?.error?.message).not.toMatch(/does not serve|check the uploaded chain/);
    expect(reports[0]?.error?.message).toMatch(untrusted);
  });

  it("with --ca-file the same deploy is confirmed", async () => {
    const run = await certrelay([
      "deploy",
      "--config",
      world.configPath,
      "--store-dir",
      world.storeDir,
      "--only",
      "static",
      "--ca-file",
      world.caPath,
      "--json",
    ]);
    expect(run.code).toBe(0);
    const { reports } = JSON.parse(run.stdout) as { reports: { targets: TargetReport[] }[] };
    expect(reports[0]?.targets.find((t) => t.provider === "cdn")?.status).toMatch(
      /^(deployed|unchanged|holds-current)$/,
    );
  });
});
