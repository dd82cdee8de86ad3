import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { scanFleet } from "../src/fleet/scan.js";
import { DAY_MS } from "../src/model.js";
import { runPipeline } from "../src/pipeline/index.js";
import { ariCertId } from "../src/providers/acme/ari.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import type { CertificateMaterial } from "../src/model.js";
import { startAcmePipelineWorld, type AcmePipelineWorld } from "./support/acme.js";

const HOUR_MS = 3_600_000;

describe("acme issuer: ACME Renewal Information (RFC 9773) decides when, else the days rule", () => {
  let world: AcmePipelineWorld;
  let fresh: CertificateMaterial;
  beforeAll(async () => {
    world = await startAcmePipelineWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });
  beforeEach(async () => {
    world.responder.renewalInfo = undefined;
    world.responder.profiles = undefined;
    // 90-day certificate with 80 days left: not due by the 30-day rule
    fresh = await world.ca.issue({
      commonName: "www.example.com",
      notBefore: new Date(Date.now() - 10 * DAY_MS),
      days: 90,
    });
    await world.store.putCurrent("certrelay/www", fresh);
  });

  it("without renewalInfo in the directory the days rule applies: a fresh certificate is left alone", async () => {
    const summary = await runPipeline(await world.config(), world.deps());
    expect(summary.reports[0]).toMatchObject({ due: false });
    expect(summary.reports[0]?.action).not.toBe("renewed");
    expect(world.responder.orders).toHaveLength(0);
    expect(world.responder.renewalInfoRequests).toHaveLength(0);
  });

  it("a suggested window in the past renews a certificate the days rule calls not due, and the order names what it replaces", async () => {
    const now = Date.now();
    world.responder.renewalInfo = () => ({
      start: new Date(now - 2 * HOUR_MS),
      end: new Date(now - HOUR_MS),
      explanationURL: "https://ca.example/incident",
    });
    const summary = await runPipeline(await world.config(), world.deps());
    const report = summary.reports[0];
    expect(report?.action, JSON.stringify(report)).toBe("renewed");
    expect(world.responder.renewalInfoRequests).toEqual([await ariCertId(fresh.certificate)]);
    expect(world.responder.orders.at(-1)?.replaces).toBe(await ariCertId(fresh.certificate));
    expect(report?.detail).toMatch(/the CA suggests renewing between .* see https:\/\/ca\.example\/incident/);
  });

  it("the Lambda's fleet scan hands a certificate whose window has opened to the renewal, and leaves it otherwise", async () => {
    const now = Date.now();
    const scan = async () => {
      const providers = new StoreBackedProviders(world.store, world.ctx);
      try {
        return (
          await scanFleet(await world.config(), {
            store: world.store,
            clock: () => new Date(),
            providers,
            concurrency: 2,
          })
        )[0];
      } finally {
        await providers.close();
      }
    };
    world.responder.renewalInfo = () => ({
      start: new Date(now + 5 * DAY_MS),
      end: new Date(now + 6 * DAY_MS),
      retryAfterSeconds: 0,
    });
    // (not on its targets yet, so the scan may call it drift: what matters is that it is not due)
    expect((await scan())?.reason).not.toBe("due");
    world.responder.renewalInfo = () => ({
      start: new Date(now - 2 * HOUR_MS),
      end: new Date(now - HOUR_MS),
      retryAfterSeconds: 0,
    });
    expect(await scan()).toMatchObject({
      reason: "due",
      needsWork: true,
      report: { detail: expect.stringMatching(/the CA suggests renewing between/) },
    });
  });

  it("a suggested window in the future keeps a certificate the days rule would renew, and Retry-After spaces the checks", async () => {
    const due = await world.ca.issue({
      commonName: "www.example.com",
      notBefore: new Date(Date.now() - 85 * DAY_MS),
      days: 90,
    });
    await world.store.putCurrent("certrelay/www", due);
    const now = Date.now();
    const start = new Date(now + 2 * DAY_MS);
    const end = new Date(now + 3 * DAY_MS);
    world.responder.renewalInfo = () => ({ start, end, retryAfterSeconds: 3_600 });
    const ordersBefore = world.responder.orders.length;
    const asked = world.responder.renewalInfoRequests.length;

    const summary = await runPipeline(await world.config(), world.deps());
    const report = summary.reports[0];
    expect(report?.due).toBe(false);
    expect(report?.action).not.toBe("renewed");
    const renewAt = Date.parse(report?.renewAt ?? "");
    expect(renewAt).toBeGreaterThanOrEqual(start.getTime());
    expect(renewAt).toBeLessThanOrEqual(end.getTime());
    expect(world.responder.orders).toHaveLength(ordersBefore);

    // within the hour the CA asked for, the next run does not ask again; after it, it does
    await runPipeline(await world.config(), world.deps());
    expect(world.responder.renewalInfoRequests).toHaveLength(asked + 1);
    const later = () => new Date(Date.now() + 2 * HOUR_MS);
    await runPipeline(
      await world.config(),
      world.deps({ clock: later, providers: new StoreBackedProviders(world.store, { ...world.ctx, clock: later }) }),
    );
    expect(world.responder.renewalInfoRequests).toHaveLength(asked + 2);
  });
});

describe("acme issuer: certificate profiles", () => {
  let world: AcmePipelineWorld;
  beforeAll(async () => {
    world = await startAcmePipelineWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("asks for the profile the directory lists", async () => {
    world.responder.profiles = { classic: "90 days", tlsserver: "45 days, TLS server auth only" };
    const summary = await runPipeline(await world.config(", profile: tlsserver"), world.deps({ force: true }));
    expect(summary.reports[0]?.action, JSON.stringify(summary.reports[0])).toBe("renewed");
    expect(world.responder.orders.at(-1)?.profile).toBe("tlsserver");
  });

  it("names the offered profiles when the one asked for is not listed, and orders nothing", async () => {
    const orders = world.responder.orders.length;
    world.responder.profiles = { classic: "90 days" };
    const summary = await runPipeline(await world.config(", profile: tlsserver"), world.deps({ force: true }));
    expect(summary.reports[0]?.error).toMatchObject({ code: "CONFIG_INVALID" });
    expect(summary.reports[0]?.error?.message).toMatch(/does not offer profile 'tlsserver'; it offers: classic/);
    expect(world.responder.orders).toHaveLength(orders);
  });

  it("says so when the directory lists no profiles at all", async () => {
    world.responder.profiles = undefined;
    await world.store.clearPending("certrelay/www");
    const summary = await runPipeline(await world.config(", profile: shortlived"), world.deps({ force: true }));
    expect(summary.reports[0]?.error?.message).toMatch(
      /offers no certificate profiles, so issuer profile 'shortlived' cannot be used/,
    );
  });
});
