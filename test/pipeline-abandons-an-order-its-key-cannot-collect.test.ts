/**
 * The jam two racing runs used to leave: the store's pending renewal holds one key, while the order under its
 * reference was bought with another (the losing run overwrote the winner's key). Such an order can never be
 * collected; the renewal is abandoned with a new reference (recorded, logged) instead of failing KEY_MISMATCH on
 * every run. Due: a new order is bought under the new reference and the certificate renews. Not due: nothing is
 * bought, and the report names the command that buys under the new reference.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CapturingLogger } from "../src/chaos/log.js";
import { runPipeline, renewalReference } from "../src/pipeline/index.js";
import { certFacts, generateKeyAndCsr } from "../src/x509/index.js";
import { fakeConfig, startFakeWorld, type FakeWorld } from "./fakes/index.js";

describe("a pending renewal whose order was bought with another key", () => {
  let f: FakeWorld;
  beforeAll(async () => {
    f = await startFakeWorld();
  });
  afterAll(async () => {
    await f?.stop();
  });

  /** The race's aftermath for `name`: an order under the renewal's reference for key A, a pending with key B. */
  async function jam(name: string, daysLeft: number) {
    const host = `${name}.example.com`;
    const seeded = await f.seed(name, daysLeft);
    const reference = renewalReference(name, certFacts(seeded.certificate).serial);
    const winner = await generateKeyAndCsr({ keyType: "rsa", commonName: host, sans: [host] });
    await f.issuer.place({ csr: winner.csr, commonName: host, sans: [host], reference });
    const loser = await generateKeyAndCsr({ keyType: "rsa", commonName: host, sans: [host] });
    await f.store.putPending(`certrelay/${name}`, {
      reference,
      createdAt: f.clock.now().toISOString(),
      privateKey: loser.privateKey,
      csr: loser.csr,
      deployedTo: [],
      attempts: 1,
    });
    return { reference, config: await fakeConfig([name]), host };
  }

  it("due: abandons the order with a new reference, buys once under it, and renews; the next run has nothing left to do", async () => {
    const { reference, config } = await jam("due", 4);
    const logger = new CapturingLogger();
    const before = f.issuer.purchases;
    const summary = await runPipeline(config, f.deps({ logger }));
    expect(summary.reports[0]).toMatchObject({ action: "renewed" });
    expect(f.issuer.purchases - before).toBe(1);
    expect(
      logger.lines.some(
        (l) => l.includes("abandoned, new reference") && l.includes(reference) && l.includes(`${reference}.r2`),
      ),
    ).toBe(true);
    expect(await f.store.getPending("certrelay/due")).toBeUndefined();
    const current = await f.store.getCurrent("certrelay/due");
    expect((await f.targets[0].verify(certFacts(current!.certificate).serial)).ok).toBe(true);
    const again = await runPipeline(config, f.deps({ logger }));
    expect(again.reports[0]?.action).toBe("none");
  });

  it("not due: gives the order up with a new reference but buys nothing, and names the command that buys under it", async () => {
    const { reference, config } = await jam("early", 60);
    const before = f.issuer.purchases;
    const logger = new CapturingLogger();
    const summary = await runPipeline(config, f.deps({ logger }));
    // the order found under the reference is given up (recorded), nothing is bought, the user is told how to buy
    expect(f.issuer.purchases).toBe(before);
    expect(summary.ok).toBe(true);
    expect(summary.reports[0]?.detail).toContain(`new reference ${reference}.r2`);
    expect(summary.reports[0]?.detail).toContain("certrelay renew --force --only early");
    expect(logger.lines.some((l) => l.includes("abandoned, new reference") && l.includes(reference))).toBe(true);
    const pending = await f.store.getPending("certrelay/early");
    expect(pending).toMatchObject({
      reference: `${reference}.r2`,
      abandoned: [{ reference, reason: expect.stringContaining("KEY_MISMATCH") }],
    });
    // that command: forced, it buys once under the new reference and renews
    const forced = await runPipeline(config, f.deps({ logger, force: true }));
    expect(forced.reports[0]?.action).toBe("renewed");
    expect(f.issuer.purchases - before).toBe(1);
  });
});
