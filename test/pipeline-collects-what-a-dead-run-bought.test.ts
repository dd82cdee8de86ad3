/**
 * A forced renewal died right after the CA answered: the CA holds the new certificate, but the run never stored it.
 * The certificate is not due, so nothing may be bought; what was already issued for the stored key is still
 * collected (looked up, never bought again), deployed and promoted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../src/pipeline/index.js";
import { certFacts, generateKeyAndCsr } from "../src/x509/index.js";
import { FAKE_NOW, startFakeWorld, type FakeWorld } from "./fakes/index.js";

describe("a renewal whose run died after the CA answered, on a certificate that is not due", () => {
  let world: FakeWorld;
  beforeAll(async () => {
    // 80 days left of 90: not due
    world = await startFakeWorld({ daysLeft: 80 });
  });
  afterAll(async () => world?.stop());

  it("collects the certificate already issued for the stored key: nothing bought again, renewed", async () => {
    // the dead run: its key stored as the pending renewal, the order placed at the CA under its reference, nothing more
    const key = await generateKeyAndCsr({ keyType: "rsa", commonName: "www.example.com", sans: ["www.example.com"] });
    await world.store.putPending("certrelay/www", {
      reference: "certrelay-www-dead",
      createdAt: FAKE_NOW.toISOString(),
      privateKey: key.privateKey,
      csr: key.csr,
      deployedTo: [],
      attempts: 1,
    });
    const bought = await world.issuer.issue({
      csr: key.csr,
      commonName: "www.example.com",
      sans: ["www.example.com"],
      reference: "certrelay-www-dead",
    });
    if (bought.state !== "issued") throw new Error("expected the fake CA to issue at once");
    const purchases = world.issuer.purchases;

    const summary = await runPipeline(world.config, world.deps());

    expect(summary.reports[0]?.action).toBe("renewed");
    expect(world.issuer.purchases).toBe(purchases);
    const serial = certFacts(bought.certificate).serial;
    expect(certFacts((await world.store.getCurrent("certrelay/www"))!.certificate).serial).toBe(serial);
    expect(world.targets.map((t) => t.served)).toEqual([serial, serial]);
    expect(await world.store.getPending("certrelay/www")).toBeUndefined();
  });

  it("without lookup at the issuer, a pending renewal with no order on a certificate that is not due buys nothing", async () => {
    const bare = await startFakeWorld({ daysLeft: 80, issuer: { lookup: false } });
    try {
      const key = await generateKeyAndCsr({ keyType: "rsa", commonName: "www.example.com", sans: ["www.example.com"] });
      await bare.store.putPending("certrelay/www", {
        reference: "certrelay-www-dead",
        createdAt: FAKE_NOW.toISOString(),
        privateKey: key.privateKey,
        csr: key.csr,
        deployedTo: [],
        attempts: 1,
      });
      const summary = await runPipeline(bare.config, bare.deps());
      expect(summary.reports[0]?.action).not.toBe("renewed");
      expect(bare.issuer.purchases).toBe(0);
    } finally {
      await bare.stop();
    }
  });
});
