import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointInterrupt, runPipeline } from "../src/pipeline/index.js";
import { certFacts } from "../src/x509/index.js";
import { startPipelineWorld, type PipelineWorld } from "./support/pipeline-world.js";

const ISSUE_ROUTE = "POST /connect-service/v2.0/certificates";

describe("a run that crashes between steps", () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld();
  });
  afterAll(async () => world?.stop());

  it("dry run reads everything and writes nothing", async () => {
    const summary = await runPipeline(world.config, world.deps({ dryRun: true }));
    expect(summary.reports[0]?.action).toBe("would-renew");
    expect(world.enos.count(ISSUE_ROUTE)).toBe(0);
    expect(world.cdn.uploadCount).toBe(0);
    expect(await world.store.getPending("certrelay/www")).toBeUndefined();
  });

  it("stops after the issuer answered, keeping the issued certificate as pending", async () => {
    const crash = new Error("simulated Lambda timeout");
    await expect(
      runPipeline(world.config, world.deps({ checkpoint: (stage) => { if (stage === "issued") throw crash; } })),
    ).rejects.toBeInstanceOf(CheckpointInterrupt);
    const pending = await world.store.getPending("certrelay/www");
    expect(pending?.certificate).toBeDefined();
    expect(pending?.deployedTo).toEqual([]);
    expect(world.enos.count(ISSUE_ROUTE)).toBe(1);
  });

  it("stops again after the first target, then a clean run finishes with exactly one issuance", async () => {
    await expect(
      runPipeline(world.config, world.deps({ checkpoint: (stage) => { if (stage === "target-deployed") throw new Error("crash"); } })),
    ).rejects.toBeInstanceOf(CheckpointInterrupt);
    expect((await world.store.getPending("certrelay/www"))?.deployedTo).toHaveLength(1);

    const summary = await runPipeline(world.config, world.deps());
    expect(summary.reports[0]?.action).toBe("renewed");
    expect(world.enos.count(ISSUE_ROUTE)).toBe(1);
    expect(world.cdn.uploadCount).toBe(1);
    const current = certFacts((await world.store.getCurrent("certrelay/www"))!.certificate);
    expect(current.serial).toBe(summary.reports[0]?.serial);
    expect(current.serial).not.toBe(certFacts(world.seeded.certificate).serial);
  });
});
