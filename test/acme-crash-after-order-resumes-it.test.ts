import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointInterrupt, runPipeline } from "../src/pipeline/index.js";
import { certFacts } from "../src/x509/index.js";
import { startAcmePipelineWorld, type AcmePipelineWorld } from "./support/acme.js";

describe("acme issuer: a run that dies right after the CA created the order", () => {
  let world: AcmePipelineWorld;
  beforeAll(async () => {
    world = await startAcmePipelineWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("keeps the order URL in the pending renewal, and the next run finishes that order instead of opening another", async () => {
    await expect(
      runPipeline(
        await world.config(),
        world.deps({
          checkpoint: (stage) => {
            if (stage === "ordered") throw new Error("simulated Lambda timeout");
          },
        }),
      ),
    ).rejects.toBeInstanceOf(CheckpointInterrupt);
    const afterCrash = await world.store.getPending("certrelay/www");
    expect(afterCrash?.orderId).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(afterCrash?.certificate).toBeUndefined();
    expect(world.responder.orders).toHaveLength(1);

    let orderAtIssue: string | undefined;
    const summary = await runPipeline(
      await world.config(),
      world.deps({
        checkpoint: async (stage) => {
          if (stage === "issued") orderAtIssue = (await world.store.getPending("certrelay/www"))?.orderId;
        },
      }),
    );
    expect(summary.reports[0]?.action, JSON.stringify(summary.reports[0])).toBe("renewed");
    expect(world.responder.orders).toHaveLength(1);
    expect(orderAtIssue).toBe(afterCrash?.orderId);
    // the key generated before the crash is the one the certificate was issued for
    const current = (await world.store.getCurrent("certrelay/www"))!;
    expect(current.privateKey).toBe(afterCrash?.privateKey);
    expect(certFacts(current.certificate).serial).toBe(summary.reports[0]?.serial);
    expect(await world.acme.txtRecordsInZone()).toEqual([]);
  });
});
