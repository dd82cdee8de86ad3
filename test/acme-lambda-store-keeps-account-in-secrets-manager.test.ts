import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../src/pipeline/index.js";
import { certFacts } from "../src/x509/index.js";
import { startAcmePipelineWorld, type AcmePipelineWorld } from "./support/acme.js";
import { awsClientConfig } from "./support/moto.js";

describe("acme issuer with AWS Secrets Manager as the store (the Lambda's)", () => {
  let world: AcmePipelineWorld;
  beforeAll(async () => {
    world = await startAcmePipelineWorld({ store: "secrets-manager" });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("renews, promotes under AWSCURRENT, and keeps the account key in the credentials secret for the next run", async () => {
    const oldSerial = certFacts(world.seeded.certificate).serial;
    const summary = await runPipeline(await world.config(), world.deps());
    expect(summary.reports[0]?.action, JSON.stringify(summary.reports[0])).toBe("renewed");
    const sm = new SecretsManagerClient(awsClientConfig(world.acme.moto.endpoint));
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: "certrelay/www", VersionStage: "AWSPREVIOUS" }),
    );
    expect(certFacts((JSON.parse(previous.SecretString ?? "{}") as { certificate: string }).certificate).serial).toBe(
      oldSerial,
    );
    const account = JSON.parse(
      (await sm.send(new GetSecretValueCommand({ SecretId: "certrelay/acme", VersionStage: "AWSCURRENT" })))
        .SecretString ?? "{}",
    ) as Record<string, string>;
    expect(account.accountKey).toContain("PRIVATE KEY");
    expect(account.accountUrl).toMatch(/^https:/);
    sm.destroy();

    await runPipeline(await world.config(), world.deps({ force: true }));
    expect(world.responder.newAccountRequests).toBe(1);
    expect(world.responder.orders).toHaveLength(2);
  });
});
