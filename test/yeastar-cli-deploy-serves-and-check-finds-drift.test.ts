/**
 * The PBX's web server is what users reach: after `certrelay deploy` its HTTPS port (the API port) must present the
 * new certificate, and a PBX switched back to another certificate behind certrelay's back is drift that `check`
 * reports and `deploy` repairs. Runs the built CLI against the sandbox PBX, which serves TLS with whatever
 * certificate `webserver/update` selected.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorld, type DemoWorld } from "../src/demo/world.js";
import { certFacts } from "../src/x509/index.js";
import { certrelay } from "./support/cli.js";

let dir: string;
let world: DemoWorld;
let common: string[];
let serial: string;

interface Row {
  certificate: string;
  where: string;
  status: string;
  serial?: string;
  error?: { code: string; message: string };
}

/** The serial a TLS client is shown on the PBX's API port: a handshake made by the test itself. */
function presentedSerial(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      resolve(peer.serialNumber.toUpperCase().replace(/^0+(?=.)/, ""));
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error("no TLS handshake within 5 s")));
    socket.once("error", reject);
  });
}

async function pbxRow(): Promise<{ code: number; row: Row | undefined }> {
  const run = await certrelay(["check", ...common, "--json"]);
  const rows = (JSON.parse(run.stdout) as { rows: Row[] }).rows;
  return { code: run.code, row: rows.find((r) => r.certificate === "www" && r.where.startsWith("yeastar")) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-pbx-served-"));
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
  // someone stored a new www certificate: the PBX (and the CDN) do not have it yet
  const fresh = await world.sandbox.ca.issue({ commonName: "www.example.com", days: 90 });
  await world.store.putCurrent("demo/www", fresh);
  serial = certFacts(fresh.certificate).serial;
});

afterAll(async () => {
  await world?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("certrelay deploy puts the certificate into use on the PBX", () => {
  it("after deploy the PBX's HTTPS port presents the new serial", async () => {
    expect(await presentedSerial(world.sandbox.urls.yeastar)).not.toBe(serial);
    const run = await certrelay(["deploy", ...common, "--only", "www"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/www\s+deployed/);
    expect(await presentedSerial(world.sandbox.urls.yeastar)).toBe(serial);
    expect(world.sandbox.yeastar.inUse()?.serial).toBe(serial);
  });

  it("a PBX switched back to its default certificate is drift: check reports it, deploy selects ours again", async () => {
    expect((await pbxRow()).row).toMatchObject({ status: "ok", serial });
    world.sandbox.yeastar.useHttpsCert("default");
    expect(await presentedSerial(world.sandbox.urls.yeastar)).not.toBe(serial);

    const drift = await pbxRow();
    expect(drift.code).toBe(1);
    expect(drift.row).toMatchObject({ status: "drift", error: { code: "DRIFT" } });
    expect(drift.row?.error?.message).toMatch(
      /web server uses its self-signed default certificate.*run certrelay deploy/,
    );

    const uploads = world.sandbox.yeastar.count("POST /openapi/v1.0/certificate/upload");
    const run = await certrelay(["deploy", ...common, "--only", "www"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/www\s+deployed/);
    // the certificate was still on the PBX: selecting it again needs no upload
    expect(world.sandbox.yeastar.count("POST /openapi/v1.0/certificate/upload")).toBe(uploads);
    expect(await presentedSerial(world.sandbox.urls.yeastar)).toBe(serial);
    expect((await pbxRow()).row).toMatchObject({ status: "ok", serial });
  });
});
