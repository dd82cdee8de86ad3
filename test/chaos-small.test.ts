/**
 * A small, seeded chaos run (6 certificates x 4 faulty rounds, then clean rounds): faults in every sandbox, token
 * expiry, edge stalls and crashes between steps, and still every certificate ends on one version everywhere, no
 * certificate is bought twice and no secret reaches a log line. `npm run chaos` runs the same core bigger.
 */
import { describe, expect, it } from "vitest";
import { runChaos, type ChaosResult } from "../src/chaos/run.js";

describe("chaos (small, seeded)", () => {
  let result: ChaosResult;

  it("keeps every invariant while faults, expiring tokens and crashes hit the pipeline", async () => {
    result = await runChaos({ certificates: 6, rounds: 4, seed: 6 });
    expect(result.violations).toEqual([]);
  }, 60_000);

  it("actually exercised the faults it claims to survive", () => {
    // seed 6 draws every kind: 5xx, 429, drops, latency, EnOS CA errors, token expiry, edge stalls and a crash
    for (const kind of ["5xx", "429", "drop", "latency", "enos ca-error", "token-expiry", "async-stall"]) {
      expect(result.faults[kind] ?? 0, kind).toBeGreaterThan(0);
    }
    expect(result.crashes).toBeGreaterThan(0);
    expect(result.rotations).toBeGreaterThan(0);
    expect(result.retries).toBeGreaterThan(0);
  });

  it("bought exactly one certificate per promoted version", () => {
    expect(result.issued).toBe(result.distinctRenewals);
  });

  it("is deterministic for a seed", async () => {
    const again = await runChaos({ certificates: 6, rounds: 4, seed: 6 });
    expect({ ...again, logLines: 0 }).toEqual({ ...result, logLines: 0 });
  }, 60_000);
});
