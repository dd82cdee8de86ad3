/**
 * Promotion comes last: the store's current certificate changes only once every target serves the new one. A target
 * that took the upload but keeps serving the old certificate holds the renewal back as pending; two runs at once
 * renew once between them (the certificate's lease), and neither promotes half a renewal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../src/pipeline/index.js";
import { certFacts } from "../src/x509/index.js";
import { startFakeWorld, type FakeWorld } from "./fakes/index.js";

describe("promotion waits for every target to serve the new certificate", () => {
  let world: FakeWorld;
  let oldSerial: string;
  beforeAll(async () => {
    world = await startFakeWorld();
    oldSerial = certFacts(world.seeded.certificate).serial;
  });
  afterAll(async () => world?.stop());

  it("a target that took the upload but serves the old certificate keeps the renewal pending and the old one current", async () => {
    world.targets[1].stale = true;
    const summary = await runPipeline(world.config, world.deps());
    expect(summary.reports[0]?.action).toBe("failed");
    expect(summary.reports[0]?.targets.map((t) => t.status)).toEqual(["deployed", "failed"]);
    expect(summary.reports[0]?.targets[1]?.error?.message).toMatch(/does not serve certificate/);
    expect(certFacts((await world.store.getCurrent("certrelay/www"))!.certificate).serial).toBe(oldSerial);
    const pending = await world.store.getPending("certrelay/www");
    expect(pending?.deployedTo).toHaveLength(1);
    expect(world.issuer.purchases).toBe(1);
  });

  it("once it serves it, the next run promotes without buying again", async () => {
    world.targets[1].heal();
    const summary = await runPipeline(world.config, world.deps());
    expect(summary.reports[0]?.action).toBe("renewed");
    const current = certFacts((await world.store.getCurrent("certrelay/www"))!.certificate).serial;
    expect(current).not.toBe(oldSerial);
    expect(world.targets.map((t) => t.served)).toEqual([current, current]);
    expect(world.issuer.purchases).toBe(1);
  });
});

describe("two runs on one due certificate at once", () => {
  let world: FakeWorld;
  beforeAll(async () => {
    world = await startFakeWorld();
  });
  afterAll(async () => world?.stop());

  it("one renews, the other does not touch it, and one certificate is bought", async () => {
    const [a, b] = await Promise.all([
      runPipeline(world.config, world.deps({ runId: "scheduler" })),
      runPipeline(world.config, world.deps({ runId: "manual" })),
    ]);
    const actions = [a.reports[0]?.action, b.reports[0]?.action].sort();
    const seen = JSON.stringify(
      [...a.reports, ...b.reports].map((r) => ({ action: r.action, detail: r.detail, error: r.error })),
    );
    expect(actions, seen).toContain("renewed");
    expect(["none", "skipped"], seen).toContain(actions.find((x) => x !== "renewed"));
    expect(world.issuer.purchases, seen).toBe(1);
    expect(await world.store.getPending("certrelay/www")).toBeUndefined();
  });
});
