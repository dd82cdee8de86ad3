/**
 * A failed `renew --force` leaves a renewal in progress for a certificate that is not due. Nothing after it may buy
 * that certificate early: not the next unforced `renew`, not `deploy`. `check` shows the renewal with its
 * reference, age and attempts (exit 0: it is not stuck), and `renew --discard-pending` drops it. Built CLI.
 */
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
  status: string;
  pending?: { reference: string; ageDays: number; attempts: number; orderId?: string; lastError?: { code: string } };
  detail?: string;
}

const purchases = () => world.sandbox.reseller.count("POST /ssl-certificate");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-early-"));
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
  // every due certificate renewed first, so only `static` (60 days left) is left not due
  const first = await certrelay(["renew", ...common]);
  if (first.code !== 0) throw new Error(`setup renew failed: ${first.stdout}${first.stderr}`);
});

afterAll(async () => {
  await world?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("no purchase that nobody asked for", () => {
  let reference = "";

  it("a forced renewal whose purchase fails leaves a pending renewal and says so", async () => {
    world.sandbox.reseller.faults.add({
      fault: { kind: "status", status: 503 },
      method: "POST",
      path: /^\/ssl-certificate$/,
      times: 1,
    });
    const before = purchases();
    const run = await certrelay(["renew", ...common, "--force", "--only", "static"]);
    expect(run.code).toBe(1);
    expect(purchases() - before).toBe(1); // the refused POST reached the vendor; nothing was charged
    expect(world.sandbox.reseller.purchases).toBe(2); // www + api from the setup run
    const pending = await world.store.getPending("demo/static");
    expect(pending?.orderId).toBeUndefined();
    reference = pending?.reference ?? "";
    expect(reference).not.toBe("");
  });

  it("the next unforced renew does not buy it: the certificate is not due, and the output says how to finish or drop it", async () => {
    const before = world.sandbox.reseller.purchases;
    const run = await certrelay(["renew", ...common]);
    expect(run.code).toBe(0);
    expect(world.sandbox.reseller.purchases).toBe(before);
    expect(run.stdout).toMatch(/static\s+ok/);
    expect(run.stdout).toContain("certrelay renew --discard-pending static");
    expect(run.stdout).toContain("certrelay renew --force --only static");
    expect(await world.store.getPending("demo/static")).toBeDefined();
  });

  it("deploy never completes it either", async () => {
    const before = world.sandbox.reseller.purchases;
    const run = await certrelay(["deploy", ...common]);
    expect(run.code).toBe(0);
    expect(world.sandbox.reseller.purchases).toBe(before);
    expect(run.stdout).toContain("deploy never continues a renewal");
    expect((await world.store.getPending("demo/static"))?.reference).toBe(reference);
  });

  it("check shows the waiting renewal with its reference, age and attempts, and is not red for it", async () => {
    const run = await certrelay(["check", ...common, "--json"]);
    const result = JSON.parse(run.stdout) as { ok: boolean; rows: Row[] };
    const row = result.rows.find((r) => r.certificate === "static" && r.where === "pending");
    expect(row).toMatchObject({
      status: "pending",
      pending: { reference, ageDays: 0, attempts: 1, lastError: { code: expect.any(String) } },
    });
    expect(row?.detail).toContain("certrelay renew --discard-pending static");
    expect(run.code).toBe(0);
    expect(result.ok).toBe(true);
  });

  it("renew --discard-pending drops it, buys nothing, and check no longer shows it", async () => {
    const before = world.sandbox.reseller.purchases;
    const run = await certrelay(["renew", ...common, "--discard-pending", "static"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`discarded renewal ${reference}`);
    expect(await world.store.getPending("demo/static")).toBeUndefined();
    expect(world.sandbox.reseller.purchases).toBe(before);
    const check = await certrelay(["check", ...common, "--json"]);
    expect((JSON.parse(check.stdout) as { rows: Row[] }).rows.some((r) => r.where === "pending")).toBe(false);
  });

  it("check exits 1 on a renewal that is stuck (failing again and again), naming the way out", async () => {
    const old = new Date(Date.now() - 4 * 86_400_000).toISOString();
    const pending = {
      reference: "certrelay-static-stuck",
      createdAt: old,
      privateKey: (await world.store.getCurrent("demo/static"))!.privateKey,
      csr: "",
      deployedTo: [],
      attempts: 6,
      lastError: { code: "VENDOR_ERROR", message: "the reseller keeps refusing", at: old },
    };
    await world.store.putPending("demo/static", pending);
    const run = await certrelay(["check", ...common, "--json"]);
    expect(run.code).toBe(1);
    const row = (JSON.parse(run.stdout) as { rows: (Row & { error?: { code: string; message: string } })[] }).rows.find(
      (r) => r.where === "pending",
    );
    expect(row).toMatchObject({
      certificate: "static",
      status: "stuck",
      pending: { reference: "certrelay-static-stuck", ageDays: 4, attempts: 6 },
      error: { code: "RENEWAL_STUCK" },
    });
    expect(row?.error?.message).toContain("certrelay renew --discard-pending static");
    await world.store.clearPending("demo/static");
  });
});
