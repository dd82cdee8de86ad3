import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorld, DEMO_SECRETS, type DemoWorld } from "../src/demo/world.js";
import { SecretsManagerStore } from "../src/store/index.js";
import { certFacts } from "../src/x509/index.js";
import { certrelay } from "./support/cli.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";

let dir: string;
let world: DemoWorld;
let moto: MotoServer;
let sm: SecretsManagerStore;
const awsEnv = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-sm-"));
  [world, moto] = await Promise.all([createDemoWorld({ dir }), startMoto()]);
  sm = new SecretsManagerStore(new SecretsManagerClient(awsClientConfig(moto.endpoint)));
  // the same installation, kept in Secrets Manager instead of files
  for (const id of Object.values(DEMO_SECRETS)) await sm.putCredentials(id, await world.store.getCredentials(id));
  for (const cert of world.config.certificates) {
    const current = await world.store.getCurrent(cert.secret);
    if (current) await sm.putCurrent(cert.secret, current);
  }
});

afterAll(async () => {
  await Promise.allSettled([world?.stop(), moto?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe("the CLI on Secrets Manager (--aws-endpoint)", () => {
  it("renews from and into Secrets Manager, leaving the local store untouched", async () => {
    const args = [
      "--config",
      world.configPath,
      "--aws-endpoint",
      moto.endpoint,
      "--ca-file",
      world.caPath,
      "--poll-interval",
      "20",
      "--poll-timeout",
      "5000",
    ];
    const localBefore = certFacts((await world.store.getCurrent("demo/www"))?.certificate ?? "").serial;

    const check = await certrelay(["check", ...args], { env: awsEnv });
    expect(check.code).toBe(1);

    const renew = await certrelay(["renew", ...args, "--only", "www"], { env: awsEnv });
    expect(renew.code, renew.stderr).toBe(0);
    // no AWS SDK "upgrade Node" banner on a CLI run
    expect(renew.stderr).toBe("");
    expect(renew.stdout).toMatch(/www\s+renewed/);

    const renewed = certFacts((await sm.getCurrent("demo/www"))?.certificate ?? "").serial;
    expect(renewed).not.toBe(localBefore);
    expect(world.sandbox.cdn.servedRecord("www.example.com")?.serialHex.replace(/^0+/, "")).toBe(renewed);
    expect(certFacts((await world.store.getCurrent("demo/www"))?.certificate ?? "").serial).toBe(localBefore);
  });
});
