import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Deadline, PollWindow } from "../src/deadline.js";
import { runPipeline } from "../src/pipeline/index.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import { startPipelineWorld, type PipelineWorld } from "./support/pipeline-world.js";

const ISSUE_ROUTE = "POST /connect-service/v2.0/certificates";
// Far longer than the test may run: a run that waited for this answer would fail the test by its own timeout.
const HANG_MS = 120_000;

describe("a vendor that hangs costs what is left of the run's budget, not a timeout per attempt", () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld();
  });
  afterAll(async () => world?.stop());

  it("ends with TIMEOUT naming --timeout and the real elapsed time, keeping the issued certificate as progress", async () => {
    // The PBX target hangs on every request; the per-attempt HTTP timeout (5 s, 3 retries) alone would take 20 s.
    world.yeastar.faults.add({ fault: { kind: "latency", ms: HANG_MS }, times: Infinity });
    const deadline = new Deadline({ budgetMs: 5_000, budget: "--timeout", fix: "raise --timeout" });
    const providers = new StoreBackedProviders(world.store, { ...world.ctx, deadline });

    const summary = await runPipeline(world.config, world.deps({ providers, deadline }));

    const report = summary.reports[0];
    expect(report?.action).toBe("failed");
    expect(report?.error?.code).toBe("TIMEOUT");
    expect(report?.error?.message).toMatch(/the --timeout budget of 5\.0 s ran out after \d+\.\d s while .*yeastar/);
    expect(report?.error?.message).toMatch(/progress is stored/);
    // The progress survives: the issued certificate and the CDN that already took it.
    const pending = await world.store.getPending("certrelay/www");
    expect(pending?.certificate).toBeDefined();
    expect(pending?.deployedTo.some((t) => t.includes("cdn"))).toBe(true);
    expect(pending?.lastError?.code).toBe("TIMEOUT");
    expect(world.enos.count(ISSUE_ROUTE)).toBe(1);

    // The vendor recovers: the next run resumes the same renewal without issuing again.
    world.yeastar.faults.clear();
    const again = await runPipeline(world.config, world.deps());
    expect(again.reports[0]?.action).toBe("renewed");
    expect(world.enos.count(ISSUE_ROUTE)).toBe(1);
    expect(await world.store.getPending("certrelay/www")).toBeUndefined();
  });

  it("a poll window is wall time: a slow check uses up the window instead of adding to it", async () => {
    // 20 checks of 1 ms would fit a 20 ms count-based window; each check here takes 10 ms of real time.
    let checks = 0;
    const window = new PollWindow({
      clock: () => new Date(),
      sleep: async () => {},
      poll: { intervalMs: 1, maxWaitMs: 20 },
    });
    do {
      checks += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
    } while (await window.next());
    expect(checks).toBeLessThan(20);
    expect(window.describe()).toMatch(new RegExp(`after ${checks} checks? over \\d+\\.\\d s`));
  });

  it("a spent deadline stops a poll and says which budget ran out", async () => {
    const deadline = new Deadline({ budgetMs: 0, budget: "wait-seconds" });
    const window = new PollWindow({
      clock: () => new Date(),
      sleep: async () => {},
      poll: { intervalMs: 1, maxWaitMs: 60_000 },
      deadline,
    });
    expect(await window.next()).toBe(false);
    expect(window.deadlineSpent).toBe(true);
    expect(window.describe()).toMatch(/the run's wait-seconds budget is spent/);
    expect(() => deadline.check("deploying")).toThrow(/wait-seconds budget of 0\.0 s ran out/);
  });
});
