import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../src/pipeline/index.js";
import { certFacts } from "../src/x509/index.js";
import { startFakeWorld, type FakeWorld } from "./fakes/index.js";

describe("a renewal whose second target fails", () => {
  let world: FakeWorld;
  let oldSerial: string;
  beforeAll(async () => {
    world = await startFakeWorld();
    oldSerial = certFacts(world.seeded.certificate).serial;
    // both targets serve the current certificate before the renewal
    for (const target of world.targets) await target.deploy(world.seeded);
  });
  afterAll(async () => world?.stop());

  it("keeps the last good certificate current in the store and on the failing target, and reports per target", async () => {
    const [first, second] = world.targets;
    second.failWrites(Infinity);
    const summary = await runPipeline(world.config, world.deps());
    const report = summary.reports[0];

    expect(summary.ok).toBe(false);
    expect(report?.action).toBe("failed");
    expect(report?.error?.message).toMatch(/reached 1 of 2 targets/);
    expect(report?.targets.map((t) => [t.target, t.status])).toEqual([
      ["fake first", "deployed"],
      ["fake second", "failed"],
    ]);
    // the store still serves the last good certificate as current; the renewal waits as pending
    expect(certFacts((await world.store.getCurrent("certrelay/www"))!.certificate).serial).toBe(oldSerial);
    const pending = await world.store.getPending("certrelay/www");
    expect(pending?.certificate).toBeDefined();
    expect(pending?.deployedTo).toHaveLength(1);
    expect(pending?.lastError?.message).toMatch(/fake second/);
    // the failing target still serves the old certificate; the first already serves the new one
    expect(second.served).toBe(oldSerial);
    expect(first.served).toBe(certFacts(pending!.certificate!).serial);
    expect(world.issuer.purchases).toBe(1);
  });

  it("finishes on the next run without issuing again, then promotes", async () => {
    const [first, second] = world.targets;
    second.heal();
    const firstWrites = first.writes;
    const summary = await runPipeline(world.config, world.deps());
    const report = summary.reports[0];

    expect(report?.action).toBe("renewed");
    expect(world.issuer.purchases).toBe(1); // no second certificate bought
    expect(report?.targets.map((t) => t.status)).toEqual(["deployed", "deployed"]);
    const newSerial = certFacts((await world.store.getCurrent("certrelay/www"))!.certificate).serial;
    expect(newSerial).not.toBe(oldSerial);
    expect(report?.previousSerial).toBe(oldSerial);
    expect(await world.store.getPending("certrelay/www")).toBeUndefined();
    expect([first.served, second.served]).toEqual([newSerial, newSerial]);
    expect(first.writes).toBe(firstWrites); // the target that already had it was not written again
  });

  it("leaves everything alone on a third run: not due, every target holds the current certificate", async () => {
    const writes = world.targets.map((t) => t.writes);
    const summary = await runPipeline(world.config, world.deps());
    expect(summary.reports[0]?.action).toBe("none");
    expect(summary.reports[0]?.due).toBe(false);
    expect(summary.reports[0]?.targets.map((t) => t.status)).toEqual(["holds-current", "holds-current"]);
    expect(world.targets.map((t) => t.writes)).toEqual(writes);
  });
});
