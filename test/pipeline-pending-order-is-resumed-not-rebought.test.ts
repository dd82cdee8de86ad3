/**
 * An order the CA has not finished (domain validation under way) is kept as the pending renewal with its order id;
 * the targets and the current certificate stay untouched; a later run collects that same order, never a new one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../src/pipeline/index.js";
import { certFacts } from "../src/x509/index.js";
import { startFakeWorld, type FakeWorld } from "./fakes/index.js";

describe("an order still pending at the CA", () => {
  let world: FakeWorld;
  beforeAll(async () => {
    world = await startFakeWorld({ issuer: { pendingAnswers: Infinity } });
  });
  afterAll(async () => world?.stop());

  it("is stored with its order id, and nothing else changes", async () => {
    const summary = await runPipeline(world.config, world.deps());
    expect(summary.reports[0]?.action).toBe("pending");
    expect(summary.reports[0]?.detail).toMatch(/order-1/);
    expect(world.issuer.purchases).toBe(1);
    expect(await world.store.getPending("certrelay/www")).toMatchObject({ orderId: "order-1" });
    expect(world.targets.map((t) => t.writes)).toEqual([0, 0]);
    expect(certFacts((await world.store.getCurrent("certrelay/www"))!.certificate).serial).toBe(
      certFacts(world.seeded.certificate).serial,
    );
  });

  it("is collected by the next run once the CA is done: one purchase in all, renewed everywhere", async () => {
    const order = world.issuer.orders.get("order-1");
    if (!order) throw new Error("expected the first run's order");
    order.pendingLeft = 0;
    const summary = await runPipeline(world.config, world.deps());
    expect(summary.reports[0]?.action).toBe("renewed");
    expect(world.issuer.purchases).toBe(1);
    const serial = certFacts((await world.store.getCurrent("certrelay/www"))!.certificate).serial;
    expect(world.targets.map((t) => t.served)).toEqual([serial, serial]);
    expect(await world.store.getPending("certrelay/www")).toBeUndefined();
  });
});
