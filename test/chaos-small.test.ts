/**
 * A small, seeded chaos run (6 certificates x 4 faulty rounds, then clean rounds): faults in every sandbox, token
 * expiry, edge stalls, reseller DCV stalls and lost purchase answers, and a crash between steps; still every
 * certificate ends on one version everywhere, no certificate is bought twice and no secret reaches a log line. `npm run chaos` runs the same core bigger.
 * Rounds are 21 days apart, so the 20-day certificate ("short") also expires between rounds, including while a
 * renewal of it sits pending.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runChaos, type ChaosResult } from "../src/chaos/run.js";

// seed 3 draws every kind: 5xx, 429, drops, latency, EnOS CA errors, reseller DCV stalls and lost purchase
// answers, token expiry, edge stalls, and a crash
const options = { certificates: 6, rounds: 4, seed: 3 };

describe("chaos (small, seeded)", () => {
  let result: ChaosResult;
  beforeAll(async () => {
    result = await runChaos(options);
  }, 60_000);

  it("keeps every invariant for the certificates on the CDN and the PBX, and buys each reseller certificate once", () => {
    expect(result.violations.filter((v) => !v.includes("short"))).toEqual([]);
  });

  it("issues again when a pending renewal's certificate expired before it could be deployed", () => {
    expect(result.violations.filter((v) => v.includes("short"))).toEqual([]);
  });

  it("actually exercised the faults it claims to survive", () => {
    for (const kind of [
      "5xx",
      "429",
      "drop",
      "latency",
      "enos ca-error",
      "reseller dcv-stall",
      "reseller drop-after-purchase",
      "token-expiry",
      "async-stall",
    ]) {
      expect(result.faults[kind] ?? 0, kind).toBeGreaterThan(0);
    }
    expect(result.crashes).toBeGreaterThan(0);
    expect(result.rotations).toBeGreaterThan(0);
    expect(result.retries).toBeGreaterThan(0);
  });

  it("is deterministic for a seed", async () => {
    const again = await runChaos(options);
    expect({ ...again, logLines: 0 }).toEqual({ ...result, logLines: 0 });
  }, 60_000);
});
