import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../src/pipeline/index.js";
import { probeEdge } from "../src/providers/cdn/edge-probe.js";
import { createTarget } from "../src/providers/registry.js";
import { certFacts } from "../src/x509/index.js";
import { startAcmePipelineWorld, type AcmePipelineWorld } from "./support/acme.js";

describe("acme issuer: a DNS-01 validation that fails", () => {
  let world: AcmePipelineWorld;
  let oldSerial: string;
  beforeAll(async () => {
    world = await startAcmePipelineWorld();
    oldSerial = certFacts(world.seeded.certificate).serial;
    // the old certificate is live on both targets before the renewal is attempted
    for (const config of (await world.config()).certificates[0]!.targets) {
      const target = createTarget(config, await world.store.getCredentials(config.credentials), world.ctx);
      await target.deploy(world.seeded);
      await target.close();
    }
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function pbxSerials(): Promise<string[]> {
    const pbx = createTarget((await world.config()).certificates[0]!.targets[1]!, world.yeastar.credentials, world.ctx);
    const held: string[] = [];
    for await (const c of pbx.list()) held.push(c.serial);
    await pbx.close();
    return held;
  }

  it("ends in a clear error with Pebble's problem detail, keeps the old certificate everywhere and orders only once", async () => {
    // the DNS the CA asks answers something other than what certrelay wrote to Route53
    world.acme.bridge.tamper = () => ["not-the-key-authorization-digest"];
    const summary = await runPipeline(await world.config(), world.deps());
    world.acme.bridge.tamper = undefined;

    const report = summary.reports[0];
    expect(report?.action).toBe("failed");
    expect(report?.error?.code).toBe("ISSUANCE_FAILED");
    expect(report?.error?.message).toMatch(
      /could not validate www\.example\.com over DNS-01: unauthorized \(.*Correct value not found for DNS challenge.*\)/,
    );
    expect(report?.error?.message).toMatch(/_acme-challenge\.www\.example\.com/);
    expect(world.responder.orders).toHaveLength(1);

    expect(certFacts((await world.store.getCurrent("certrelay/www"))!.certificate).serial).toBe(oldSerial);
    const served = await probeEdge({
      address: `127.0.0.1:${world.cdn.edgePort}`,
      serverName: "www.example.com",
      ca: world.ca.rootPem,
      timeoutMs: 5_000,
    });
    expect(served.serial).toBe(oldSerial);
    expect(await pbxSerials()).toEqual([oldSerial]);

    expect(await world.acme.txtRecordsInZone()).toEqual([]);
    expect(await world.acme.resolveTxt("_acme-challenge.www.example.com")).toEqual([]);
    const pending = await world.store.getPending("certrelay/www");
    expect(pending?.orderId).toMatch(/^https:/);
    expect(Date.parse(pending?.lastError?.backoffUntil ?? "")).toBeGreaterThan(Date.now() + 50 * 60_000);
  });

  it("does not ask the CA again while the backoff lasts", async () => {
    const summary = await runPipeline(await world.config(), world.deps());
    expect(summary.reports[0]?.action).toBe("failed");
    expect(summary.reports[0]?.error?.message).toMatch(
      /^not asking the issuer again before .*: the CA could not validate/,
    );
    expect(world.responder.orders).toHaveLength(1);
  });

  it("after the backoff, with the record right, opens a new order and renews", async () => {
    const later = () => new Date(Date.now() + 61 * 60_000);
    const summary = await runPipeline(await world.config(), world.deps({ clock: later }));
    expect(summary.reports[0]?.action, JSON.stringify(summary.reports[0])).toBe("renewed");
    expect(world.responder.orders).toHaveLength(2);
    expect(await pbxSerials()).toContain(summary.reports[0]?.serial);
    expect(await world.acme.txtRecordsInZone()).toEqual([]);
  });
});
