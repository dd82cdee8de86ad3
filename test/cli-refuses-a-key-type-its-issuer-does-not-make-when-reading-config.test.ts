/**
 * A certificate's keyType is the key it must have; its issuer's own setting makes the key (reseller: RSA only; EnOS:
 * issueAuthority; ACME: keyType ec256|ec384|rsa2048|rsa3072). When they disagree, every command that reads
 * certrelay.yml refuses it at once, like any other config problem: exit 2, CONFIG_INVALID naming
 * certificates[i].keyType and its line, a fix in that issuer's own words, and no call to any vendor. Before, only
 * a due renewal noticed (exit 1, on renewal day). A keyType that agrees (device-42: ecc, EnOS issueAuthority ECC)
 * runs as before. Built CLI.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorld, type DemoWorld } from "../src/demo/world.js";
import { certrelay } from "./support/cli.js";

let dir: string;
let world: DemoWorld;
let demoConfig: string;
const common = (config: string) => [
  "--config",
  config,
  "--store-dir",
  world.storeDir,
  "--ca-file",
  world.caPath,
  "--poll-interval",
  "20",
  "--poll-timeout",
  "5000",
];
/** every request any sandbox vendor has received so far */
const vendorCalls = () =>
  [world.sandbox.reseller, world.sandbox.enos, world.sandbox.cdn, world.sandbox.yeastar].reduce(
    (sum, server) => sum + server.requestCount,
    0,
  );

/** The demo config with `edit` applied; fails when the demo's text changed under the test. */
async function configWith(name: string, from: string, to: string): Promise<string> {
  if (!demoConfig.includes(from)) throw new Error(`demo config changed: no ${JSON.stringify(from)}`);
  const path = join(dir, name);
  await writeFile(path, demoConfig.replace(from, to));
  return path;
}

function lineOf(text: string, needle: string): number {
  return text.split("\n").findIndex((l) => l.includes(needle)) + 1;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-key-type-"));
  world = await createDemoWorld({ dir });
  demoConfig = await readFile(world.configPath, "utf8");
}, 60_000);

afterAll(async () => {
  await world?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a certificate keyType its issuer does not make is a config error", () => {
  it("check, deploy and a not-due renew exit 2 naming certificates[0].keyType, its line and the reseller's fix", async () => {
    const config = await configWith(
      "reseller-ecc.yml",
      "    commonName: www.example.com\n",
      "    commonName: www.example.com\n    keyType: ecc\n",
    );
    const line = lineOf(await readFile(config, "utf8"), "keyType: ecc");
    const before = vendorCalls();
    for (const command of ["check", "deploy", "renew"]) {
      const run = await certrelay([command, ...common(config)]);
      expect(run.code, command).toBe(2);
      expect(run.stderr, command).toContain(
        `certificates[0].keyType: is ecc but its issuer (reseller) makes rsa keys; the reseller issues RSA certificates only: set keyType rsa or remove it (line ${line}`,
      );
      expect(run.stdout, command).toBe("");
    }
    const json = await certrelay(["renew", ...common(config), "--json"]);
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.stdout) as { error: { name: string; code: string; field?: string } };
    expect(parsed.error).toMatchObject({ name: "ConfigError", code: "CONFIG_INVALID" });
    expect(vendorCalls()).toBe(before);
    expect(await world.store.getPending("demo/www")).toBeUndefined();
  });

  it("an EnOS issuer says issueAuthority, and device-42 (keyType ecc, issueAuthority ECC) still renews", async () => {
    const config = await configWith("enos-rsa.yml", "issueAuthority: ECC", "issueAuthority: RSA");
    const run = await certrelay(["check", ...common(config)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /certificates\[\d\]\.keyType: is ecc but its issuer \(enos\) makes rsa keys; the issuer's issueAuthority RSA makes RSA keys: set the issuer's issueAuthority ECC, or set this keyType rsa, or remove it \(line \d+/,
    );
    const agrees = await certrelay(["renew", ...common(world.configPath), "--only", "device-42", "--json"]);
    expect(agrees.code).toBe(0);
    const reports = (JSON.parse(agrees.stdout) as { reports: { name: string; action: string }[] }).reports;
    expect(reports.find((c) => c.name === "device-42")).toMatchObject({ action: "renewed" });
  });

  it("an ACME issuer names its own keyType values (ec256 or ec384), not rsa|ecc", async () => {
    const config = join(dir, "acme-ecc.yml");
    await writeFile(
      config,
      [
        "certificates:",
        "  - name: shop",
        "    secret: certrelay/shop",
        "    commonName: shop.example.com",
        "    keyType: ecc",
        "    issuer: { provider: acme, directory: letsencrypt, credentials: certrelay/acme, dns: { provider: route53 } }",
        "",
      ].join("\n"),
    );
    const run = await certrelay(["check", "--config", config, "--store-dir", world.storeDir, "--json"]);
    expect(run.code).toBe(2);
    const { error } = JSON.parse(run.stdout) as { error: { name: string; message: string } };
    expect(error.name).toBe("ConfigError");
    expect(error.message).toContain(
      "certificates[0].keyType: is ecc but its issuer (acme) makes rsa keys; the issuer's keyType rsa2048 makes RSA keys: set the issuer's keyType to ec256 or ec384, or set this keyType rsa, or remove it (line 5",
    );
  });
});
