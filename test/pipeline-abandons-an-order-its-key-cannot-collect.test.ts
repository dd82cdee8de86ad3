/**
 * The jam two racing runs used to leave: the store's pending renewal holds one key, while the order under its
 * reference was bought with another (the losing run overwrote the winner's key). Such an order can never be
 * collected; the renewal is abandoned with a new reference (recorded, logged) instead of failing KEY_MISMATCH on
 * every run. Due: a new order is bought under the new reference and the certificate renews. Not due: nothing is
 * bought, and the report names the command that buys under the new reference.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/index.js";
import { CapturingLogger } from "../src/chaos/log.js";
import { runPipeline, renewalReference } from "../src/pipeline/index.js";
import { createResellerIssuer } from "../src/providers/reseller/index.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import { DEFAULT_PLANS, startResellerSandbox, type ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { certFacts, generateKeyAndCsr } from "../src/x509/index.js";
import { cdnTargetYaml, seedCurrent, startFleetFixture, type FleetFixture } from "./support/fleet.js";

const PLAN = DEFAULT_PLANS[0]?.id ?? "";

describe("a pending renewal whose order was bought with another key", () => {
  let f: FleetFixture;
  let reseller: ResellerSandbox;
  beforeAll(async () => {
    f = await startFleetFixture();
    reseller = await startResellerSandbox({ ca: f.ca, clock: f.clock.now });
    await f.secrets.putCredentials("certrelay/reseller", { ...reseller.credentials });
  });
  afterAll(async () => {
    await reseller?.stop();
    await f?.stop();
  });

  /** The race's aftermath for `name`: an order under the renewal's reference for key A, a pending with key B. */
  async function jam(name: string, daysLeft: number) {
    const host = `${name}.shop.example`;
    const seeded = await seedCurrent(f, `certrelay/${name}`, host, daysLeft);
    const reference = renewalReference(name, certFacts(seeded.certificate).serial);
    const winner = await generateKeyAndCsr({ keyType: "rsa", commonName: host, sans: [host] });
    const issuer = createResellerIssuer({ endpoint: reseller.url, plan: PLAN, dcvType: "DNS" }, { ...reseller.credentials }, { ...f.ctx });
    await issuer.issue({ csr: winner.csr, commonName: host, sans: [host], reference }, { dryRun: false });
    await issuer.close();
    const loser = await generateKeyAndCsr({ keyType: "rsa", commonName: host, sans: [host] });
    await f.secrets.putPending(`certrelay/${name}`, { reference, createdAt: f.clock.now().toISOString(), privateKey: loser.privateKey, csr: loser.csr, deployedTo: [], attempts: 1 });
    const config = parseConfig(
      [
        "certificates:",
        `  - name: ${name}`,
        `    secret: certrelay/${name}`,
        `    commonName: ${host}`,
        "    issuer:",
        `      provider: reseller`,
        `      endpoint: ${reseller.url}`,
        "      credentials: certrelay/reseller",
        "      dcvType: DNS",
        `      plan: ${PLAN}`,
        "    targets:",
        cdnTargetYaml(f, host),
      ].join("\n"),
      "test",
    );
    return { reference, config, host };
  }

  it("due: abandons the order with a new reference, buys once under it, and renews; the next run has nothing left to do", async () => {
    const { reference, config, host } = await jam("due", 4);
    const logger = new CapturingLogger();
    const before = reseller.purchases;
    const deps = () => ({ store: f.secrets, providers: new StoreBackedProviders(f.secrets, { ...f.ctx, logger }), clock: f.clock.now, logger, dryRun: false });
    const summary = await runPipeline(config, deps());
    expect(summary.reports[0]).toMatchObject({ action: "renewed" });
    expect(reseller.purchases - before).toBe(1);
    expect(logger.lines.some((l) => l.includes("abandoned, new reference") && l.includes(reference) && l.includes(`${reference}.r2`))).toBe(true);
    expect(await f.secrets.getPending("certrelay/due")).toBeUndefined();
    const current = await f.secrets.getCurrent("certrelay/due");
    expect((await f.verifyOnCdn(host, certFacts(current!.certificate).serial)).ok).toBe(true);
    const again = await runPipeline(config, deps());
    expect(again.reports[0]?.action).toBe("none");
  });

  it("not due: gives the order up with a new reference but buys nothing, and names the command that buys under it", async () => {
    const { reference, config } = await jam("early", 60);
    const before = reseller.purchases;
    const logger = new CapturingLogger();
    const summary = await runPipeline(config, { store: f.secrets, providers: new StoreBackedProviders(f.secrets, { ...f.ctx, logger }), clock: f.clock.now, logger, dryRun: false });
    // the order found under the reference is given up (recorded), nothing is bought, the user is told how to buy
    expect(reseller.purchases).toBe(before);
    expect(summary.ok).toBe(true);
    expect(summary.reports[0]?.detail).toContain(`new reference ${reference}.r2`);
    expect(summary.reports[0]?.detail).toContain("certrelay renew --force --only early");
    expect(logger.lines.some((l) => l.includes("abandoned, new reference") && l.includes(reference))).toBe(true);
    const pending = await f.secrets.getPending("certrelay/early");
    expect(pending).toMatchObject({ reference: `${reference}.r2`, abandoned: [{ reference, reason: expect.stringContaining("KEY_MISMATCH") }] });
    // that command: forced, it buys once under the new reference and renews
    const forced = await runPipeline(config, { store: f.secrets, providers: new StoreBackedProviders(f.secrets, { ...f.ctx, logger }), clock: f.clock.now, logger, dryRun: false, force: true });
    expect(forced.reports[0]?.action).toBe("renewed");
    expect(reseller.purchases - before).toBe(1);
  });
});
