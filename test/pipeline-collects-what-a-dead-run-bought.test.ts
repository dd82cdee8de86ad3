/**
 * A forced renewal died right after the CA answered: EnOS bound the new certificate to the device, but the run never
 * stored it. The certificate is not due, so nothing may be bought; what was already issued for the stored key is
 * still collected (looked up, never applied for again), deployed and promoted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../src/model.js";
import { runPipeline } from "../src/pipeline/index.js";
import { createEnosIssuer } from "../src/providers/enos/index.js";
import { certFacts, generateKeyAndCsr } from "../src/x509/index.js";
import { startPipelineWorld, WORLD_NOW, type PipelineWorld } from "./support/pipeline-world.js";
import { testProviderContext } from "./support/context.js";

const ISSUE_ROUTE = "POST /connect-service/v2.0/certificates";

describe("a renewal whose run died after the CA answered, on a certificate that is not due", () => {
  let world: PipelineWorld;
  beforeAll(async () => {
    world = await startPipelineWorld();
  });
  afterAll(async () => world?.stop());

  it("collects the certificate already issued for the stored key: no second apply, renewed", async () => {
    const fresh = await world.ca.issue({ commonName: "www.example.com", sans: ["www.example.com"], notBefore: new Date(WORLD_NOW.getTime() - DAY_MS), days: 90 });
    await world.store.putCurrent("certrelay/www", fresh);
    // the dead run: its key stored as the pending renewal, the certificate issued for it at EnOS, nothing more
    const key = await generateKeyAndCsr({ keyType: "rsa", commonName: "www.example.com", sans: ["www.example.com"] });
    await world.store.putPending("certrelay/www", { reference: "certrelay-www-dead", createdAt: WORLD_NOW.toISOString(), privateKey: key.privateKey, csr: key.csr, deployedTo: [], attempts: 1 });
    const issuer = createEnosIssuer(
      { endpoint: world.enos.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId", issueAuthority: "RSA", validDays: 90 },
      { ...world.enos.credentials },
      testProviderContext(world.clock.now, { ca: world.ca.rootPem }),
    );
    const bound = await issuer.issue({ csr: key.csr, commonName: "www.example.com", sans: ["www.example.com"], reference: "certrelay-www-dead" }, { dryRun: false });
    await issuer.close();
    if (bound.state !== "issued") throw new Error("expected EnOS to issue at once");
    const applies = world.enos.count(ISSUE_ROUTE);

    const summary = await runPipeline(world.config, world.deps());

    expect(summary.reports[0]?.action).toBe("renewed");
    expect(world.enos.count(ISSUE_ROUTE)).toBe(applies);
    expect(certFacts((await world.store.getCurrent("certrelay/www"))!.certificate).serial).toBe(certFacts(bound.certificate).serial);
    expect(await world.store.getPending("certrelay/www")).toBeUndefined();
  });
});
