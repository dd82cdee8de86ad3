/**
 * A small chaos run whose faulty rounds are all concurrent: two or three of a CLI-style pipeline run, the scheduler,
 * the worker and the worker again with the same messages (a duplicated SQS delivery, some messages also twice in
 * one batch) on the same certificates at once, any of them killed at a checkpoint. Interleaving makes it not
 * request-for-request reproducible, so it asserts only what must hold whatever the order: nothing bought twice,
 * nothing jammed, no target serving a certificate whose key the store lost, no key outside its secret.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runChaos, type ChaosResult } from "../src/chaos/run.js";

describe("chaos with concurrent runs (small, seeded)", () => {
  let result: ChaosResult;
  beforeAll(async () => {
    result = await runChaos({ certificates: 6, rounds: 4, seed: 8, concurrentProbability: 1, crashProbability: 0.6 });
  }, 120_000);

  it("keeps every invariant: no double purchase, no jammed certificate, no served certificate without its key, no stray key", () => {
    expect(result.violations).toEqual([]);
    expect(result.invariants).toEqual({
      doublePurchases: 0,
      jammedCertificates: 0,
      foreignKeysServed: 0,
      keysOutsideSecret: 0,
      leakedSessions: 0,
      deadlineOverruns: 0,
    });
  });

  it("really ran runs side by side: scheduler, worker and redelivered worker took part, and some met a lease", () => {
    expect(result.concurrentRounds).toBe(4);
    const runs = Object.values(result.concurrentRuns).reduce((a, b) => a + b, 0);
    expect(runs).toBeGreaterThanOrEqual(8);
    expect(Object.keys(result.concurrentRuns).length).toBeGreaterThanOrEqual(3);
    expect(result.skippedInProgressElsewhere).toBeGreaterThan(0);
    expect(result.rotations).toBeGreaterThan(0);
  });
});
