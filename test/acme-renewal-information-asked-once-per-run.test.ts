/**
 * The scheduler asks the CA's renewal information (RFC 9773) while it scans, then hands a certificate whose targets
 * drifted to the rotation, which asks again. A CA that sets no pause between checks (Retry-After: 0) got both
 * requests for one certificate in one run. One run asks once per certificate and shares the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../src/fleet/deps.js";
import { runScheduler } from "../src/fleet/scheduler.js";
import { DAY_MS, systemClock } from "../src/model.js";
import { ariCertId } from "../src/providers/acme/ari.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import { startAcmePipelineWorld, type AcmePipelineWorld } from "./support/acme.js";

let world: AcmePipelineWorld;

beforeAll(async () => {
  world = await startAcmePipelineWorld();
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe("the scheduler asks the CA's renewal information once per certificate per run", () => {
  it("a not-due certificate whose targets drifted: one renewalInfo request, no order, deployed", async () => {
    // 80 days left of 90: not due by the 30-day rule, and on none of its targets yet (drift)
    const fresh = await world.ca.issue({
      commonName: "www.example.com",
      sans: ["www.example.com"],
      notBefore: new Date(Date.now() - 10 * DAY_MS),
      days: 90,
    });
    await world.store.putCurrent("certrelay/www", fresh);
    const now = Date.now();
    // a window in the future, and a CA that lets clients ask again at any time
    world.responder.renewalInfo = () => ({
      start: new Date(now + 5 * DAY_MS),
      end: new Date(now + 6 * DAY_MS),
      retryAfterSeconds: 0,
    });
    const asked = world.responder.renewalInfoRequests.length;
    const orders = world.responder.orders.length;
    const lines: string[] = [];
    const config = await world.config();
    const result = await runScheduler(
      {
        loadConfig: async () => ({ config, source: "test" }),
        store: world.store,
        createProviders: (logger, deadline) =>
          new StoreBackedProviders(world.store, { ...world.ctx, logger, ...(deadline ? { deadline } : {}) }),
        clock: systemClock,
        write: (line) => lines.push(line),
        notifiers: [],
        settings: { ...DEFAULT_SETTINGS },
      },
      { getRemainingTimeInMillis: () => 600_000, awsRequestId: "ari-once" },
    );
    expect(result.outcomes.map((o) => o.action)).toEqual(["deployed"]);
    expect(world.responder.orders).toHaveLength(orders);
    expect(world.responder.renewalInfoRequests.slice(asked)).toEqual([await ariCertId(fresh.certificate)]);
  }, 120_000);
});
