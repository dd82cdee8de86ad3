import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointInterrupt, runPipeline } from "../src/pipeline/index.js";
import { certFacts } from "../src/x509/index.js";
import { startFakeWorld, type FakeWorld } from "./fakes/index.js";

describe("a run that crashes between steps", () => {
  let world: FakeWorld;
  beforeAll(async () => {
    world = await startFakeWorld();
  });
  afterAll(async () => world?.stop());

  it("dry run reads everything and writes nothing", async () => {
    const summary = await runPipeline(world.config, world.deps({ dryRun: true }));
    expect(summary.reports[0]?.action).toBe("would-renew");
    expect(world.issuer.purchases).toBe(0);
    expect(world.targets.map((t) => t.writes)).toEqual([0, 0]);
    expect(await world.store.getPending("certrelay/www")).toBeUndefined();
  });

  it("stops after the issuer answered, keeping the issued certificate as pending", async () => {
    const crash = new Error("simulated Lambda timeout");
    await expect(
      runPipeline(
        world.config,
        world.deps({
          checkpoint: (stage) => {
            if (stage === "issued") throw crash;
          },
        }),
      ),
    ).rejects.toBeInstanceOf(CheckpointInterrupt);
    const pending = await world.store.getPending("certrelay/www");
    expect(pending?.certificate).toBeDefined();
    expect(pending?.deployedTo).toEqual([]);
    expect(world.issuer.purchases).toBe(1);
  });

  it("stops again after the first target, then a clean run finishes with exactly one issuance", async () => {
    await expect(
      runPipeline(
        world.config,
        world.deps({
          checkpoint: (stage) => {
            if (stage === "target-deployed") throw new Error("crash");
          },
        }),
      ),
    ).rejects.toBeInstanceOf(CheckpointInterrupt);
    expect((await world.store.getPending("certrelay/www"))?.deployedTo).toHaveLength(1);

    const summary = await runPipeline(world.config, world.deps());
    expect(summary.reports[0]?.action).toBe("renewed");
    expect(world.issuer.purchases).toBe(1);
    // the first target was written once, before the crash; the resumed run did not write it again
    expect(world.targets.map((t) => t.writes)).toEqual([1, 1]);
    const current = certFacts((await world.store.getCurrent("certrelay/www"))!.certificate);
    expect(current.serial).toBe(summary.reports[0]?.serial);
    expect(current.serial).not.toBe(certFacts(world.seeded.certificate).serial);
    expect(world.targets.map((t) => t.served)).toEqual([current.serial, current.serial]);
  });
});
