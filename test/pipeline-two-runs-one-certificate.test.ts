/**
 * Two runs on one certificate at once (a schedule plus a manual run, a Lambda retry): one renews, the other skips it
 * as "in progress elsewhere"; never two purchases, never a jammed renewal. Real moto_server store, reseller
 * sandbox that charges every POST.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/index.js";
import { silentLogger } from "../src/model.js";
import { runPipeline } from "../src/pipeline/index.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import { SecretsManagerStore } from "../src/store/index.js";
import { certFacts } from "../src/x509/index.js";
import { cdnTargetYaml, seedCurrent, startFleetFixture, type FleetFixture } from "./support/fleet.js";
import { startIssuerFor, type IssuerFixture } from "./support/fleet-issuer.js";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";

function keyMatches(certificate: string, privateKey: string): boolean {
  const a = new X509Certificate(certificate).publicKey.export({ type: "spki", format: "der" });
  return a.equals(createPublicKey(createPrivateKey(privateKey)).export({ type: "spki", format: "der" }));
}

describe("two renew runs on the same certificate at once", () => {
  let f: FleetFixture;
  let issuer: IssuerFixture;
  beforeAll(async () => {
    f = await startFleetFixture();
    issuer = await startIssuerFor(f);
  });
  afterAll(async () => {
    await issuer?.stop();
    await f?.stop();
  });

  it("in every trial one run renews, the other skips it as in progress elsewhere, and one certificate is bought", async () => {
    for (let trial = 0; trial < 5; trial += 1) {
      const host = `t${trial}.shop.example`;
      const secret = `certrelay/t${trial}`;
      await seedCurrent(f, secret, host, 4);
      const config = await parseConfig(
        [
          "certificates:",
          `  - name: t${trial}`,
          `    secret: ${secret}`,
          "    issuer:",
          issuer.yaml("      "),
          "    targets:",
          cdnTargetYaml(f, host),
        ].join("\n"),
        "test",
      );
      const before = issuer.purchases();
      // each run has its own clients and store object, as two processes would
      const run = (runId: string) => {
        const store = new SecretsManagerStore(f.sm);
        return runPipeline(config, {
          store,
          providers: new StoreBackedProviders(store, f.ctx),
          clock: f.clock.now,
          logger: silentLogger,
          dryRun: false,
          runId,
        });
      };
      const [a, b] = await Promise.all([run("scheduler"), run("manual")]);
      const actions = [a.reports[0]?.action, b.reports[0]?.action].sort();
      const seen = `trial ${trial}: ${JSON.stringify([...a.reports, ...b.reports].map((r) => ({ action: r.action, error: r.error, detail: r.detail })))}`;
      expect(issuer.purchases() - before, seen).toBe(1);
      expect(actions, seen).toContain("renewed");
      expect(["none", "skipped"], seen).toContain(actions.find((x) => x !== "renewed"));
      const skipped = [...a.reports, ...b.reports].find((r) => r.action === "skipped");
      if (skipped) expect(skipped.detail).toMatch(/in progress elsewhere/);
      const current = await f.secrets.getCurrent(secret);
      expect(current && keyMatches(current.certificate, current.privateKey)).toBe(true);
      expect(await f.secrets.getPending(secret)).toBeUndefined();
      expect((await f.verifyOnCdn(host, certFacts(current!.certificate).serial)).ok).toBe(true);
    }
  }, 120_000);
});
