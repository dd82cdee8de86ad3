/**
 * A certificate's keyType is the key it must have; its issuer's own setting makes the key. When they disagree
 * (www asks for ecc, the reseller makes RSA keys), renew stops that certificate before generating a key or buying,
 * naming the field and both ways to fix it, and the dry run says the same. A keyType that agrees (device-42: ecc,
 * EnOS issueAuthority ECC) renews as before. Built CLI.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorld, type DemoWorld } from "../src/demo/world.js";
import { certrelay } from "./support/cli.js";

interface Report {
  name: string;
  action: string;
  error?: { code: string; message: string; field?: string };
}

let dir: string;
let world: DemoWorld;
let common: string[];
const purchases = () => world.sandbox.reseller.count("POST /ssl-certificate");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-key-type-"));
  world = await createDemoWorld({ dir });
  const text = await readFile(world.configPath, "utf8");
  if (!text.includes("    commonName: www.example.com\n"))
    throw new Error("demo config changed: www has no commonName");
  await writeFile(
    world.configPath,
    text.replace("    commonName: www.example.com\n", "    commonName: www.example.com\n    keyType: ecc\n"),
  );
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
}, 60_000);

afterAll(async () => {
  await world?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a certificate keyType its issuer does not make", () => {
  const expected =
    /^www has keyType ecc in certrelay\.yml but its issuer reseller \S+ makes rsa keys: set the issuer's own key type to ecc \(its settings in the README\), or set keyType rsa, or remove keyType$/;

  it("renew --dry-run already says it cannot happen", async () => {
    const run = await certrelay(["renew", ...common, "--dry-run", "--only", "www", "--json"]);
    expect(run.code).toBe(1);
    const www = (JSON.parse(run.stdout) as { reports: Report[] }).reports.find((c) => c.name === "www");
    expect(www).toMatchObject({ action: "failed", error: { code: "CONFIG_INVALID", field: "www.keyType" } });
    expect(www?.error?.message).toMatch(expected);
  });

  it("renew stops www before any purchase, and device-42 (keyType ecc, issued ECC) renews", async () => {
    const before = purchases();
    const run = await certrelay(["renew", ...common, "--only", "www", "--only", "device-42", "--json"]);
    expect(run.code).toBe(1);
    const reports = (JSON.parse(run.stdout) as { reports: Report[] }).reports;
    const www = reports.find((c) => c.name === "www");
    expect(www).toMatchObject({ action: "failed", error: { code: "CONFIG_INVALID" } });
    expect(www?.error?.message).toMatch(expected);
    expect(purchases()).toBe(before);
    expect(await world.store.getPending("demo/www")).toBeUndefined();
    expect(reports.find((c) => c.name === "device-42")).toMatchObject({ action: "renewed" });
  });
});
