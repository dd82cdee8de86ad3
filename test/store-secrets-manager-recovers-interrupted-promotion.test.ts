import { randomUUID } from "node:crypto";
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SecretsManagerStore } from "../src/store/index.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";
import { issued, oldMaterial, pendingRenewal } from "./support/store-contract.js";

let moto: MotoServer;
let client: SecretsManagerClient;

beforeAll(async () => {
  moto = await startMoto();
  client = new SecretsManagerClient(awsClientConfig(moto.endpoint));
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
});

describe("secrets-manager promotion interrupted after the final version was written", () => {
  it("reports the issued renewal as pending and finishes promotion on the next run", async () => {
    const store = new SecretsManagerStore(client);
    await store.putCurrent("certrelay/www", oldMaterial);
    await store.putPending("certrelay/www", pendingRenewal(issued));
    // What promote() writes first; a crash here leaves plain material under AWSPENDING.
    const finalMaterial = {
      certificate: issued.certificate,
      privateKey: pendingRenewal().privateKey,
      chain: issued.chain,
    };
    await client.send(
      new PutSecretValueCommand({
        SecretId: "certrelay/www",
        SecretString: JSON.stringify(finalMaterial),
        VersionStages: ["AWSPENDING"],
        ClientRequestToken: randomUUID(),
      }),
    );

    expect(await store.getCurrent("certrelay/www")).toEqual(oldMaterial);
    expect(await store.getPending("certrelay/www")).toMatchObject({
      certificate: issued.certificate,
      chain: issued.chain,
    });

    await store.promote("certrelay/www");
    expect(await store.getCurrent("certrelay/www")).toEqual(finalMaterial);
    expect(await store.getPending("certrelay/www")).toBeUndefined();
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: "certrelay/www", VersionStage: "AWSPREVIOUS" }),
    );
    expect(JSON.parse(previous.SecretString ?? "{}")).toEqual(oldMaterial);
  });
});

describe("secrets-manager list", () => {
  it("follows NextToken across pages", async () => {
    const seeding = new SecretsManagerStore(client);
    const ids = ["certrelay/a", "certrelay/b", "certrelay/c", "certrelay/d", "certrelay/e"];
    for (const id of ids) await seeding.putCurrent(id, oldMaterial);
    await seeding.putCurrent("elsewhere/a", oldMaterial);
    const listed: string[] = [];
    for await (const id of new SecretsManagerStore(client, { pageSize: 2 }).list("certrelay/")) listed.push(id);
    expect(listed.sort()).toEqual(ids);
  });
});
