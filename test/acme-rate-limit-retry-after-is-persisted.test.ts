import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../src/pipeline/index.js";
import { certFacts } from "../src/x509/index.js";
import { startAcmePipelineWorld, type AcmePipelineWorld } from "./support/acme.js";

describe("acme issuer: a CA that answers 429 with Retry-After", () => {
  let world: AcmePipelineWorld;
  beforeAll(async () => {
    world = await startAcmePipelineWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("is not asked again in the same run nor before Retry-After has passed, then renews", async () => {
    world.responder.failNextOrder = { status: 429, retryAfterSeconds: 1_800 };
    const first = await runPipeline(await world.config(), world.deps());
    expect(first.reports[0]?.error?.code).toBe("RATE_LIMITED");
    expect(first.reports[0]?.error?.message).toMatch(
      /rateLimited \(too many new orders recently\); certrelay will not ask again before/,
    );
    expect(world.responder.orders).toHaveLength(1);
    const pending = await world.store.getPending("certrelay/www");
    const until = Date.parse(pending?.lastError?.backoffUntil ?? "");
    expect(until).toBeGreaterThan(Date.now() + 25 * 60_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 30 * 60_000);

    const second = await runPipeline(await world.config(), world.deps());
    expect(second.reports[0]?.error?.message).toMatch(/^not asking the issuer again before/);
    expect(world.responder.orders).toHaveLength(1);

    const later = () => new Date(Date.now() + 31 * 60_000);
    const third = await runPipeline(await world.config(), world.deps({ clock: later }));
    expect(third.reports[0]?.action, JSON.stringify(third.reports[0])).toBe("renewed");
    expect(world.responder.orders).toHaveLength(2);
    expect(certFacts((await world.store.getCurrent("certrelay/www"))!.certificate).serial).toBe(
      third.reports[0]?.serial,
    );
  });

  it("a 503 without Retry-After fails this run only: the next run orders again", async () => {
    world.responder.failNextOrder = { status: 503 };
    const orders = world.responder.orders.length;
    const first = await runPipeline(await world.config(), world.deps({ force: true }));
    expect(first.reports[0]?.error?.code).toBe("RATE_LIMITED");
    expect((await world.store.getPending("certrelay/www"))?.lastError?.backoffUntil).toBeUndefined();
    // (the certificate is not due: a pending renewal is only carried on when due or forced)
    const second = await runPipeline(await world.config(), world.deps({ force: true }));
    expect(second.reports[0]?.action).toBe("renewed");
    expect(world.responder.orders).toHaveLength(orders + 2);
  });

  it("a badNonce answer is retried with a fresh nonce inside the same request, and the renewal goes on", async () => {
    world.responder.failNextOrder = { status: 400, badNonce: true };
    const orders = world.responder.orders.length;
    const summary = await runPipeline(await world.config(), world.deps({ force: true }));
    expect(summary.reports[0]?.action, JSON.stringify(summary.reports[0])).toBe("renewed");
    // two newOrder requests reached the front: the refused one and its retry
    expect(world.responder.orders).toHaveLength(orders + 2);
  });
});
