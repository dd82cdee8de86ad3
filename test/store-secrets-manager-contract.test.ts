import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SecretsManagerStore } from "../src/store/index.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";
import { describeStoreContract, issued, oldMaterial, pendingRenewal } from "./support/store-contract.js";

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

async function stageValue(secretId: string, stage: string): Promise<string | undefined> {
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
    return answer.SecretString;
  } catch (e) {
    if (e instanceof Error && e.name === "ResourceNotFoundException") return undefined;
    throw e;
  }
}

describeStoreContract("secrets-manager", {
  store: () => new SecretsManagerStore(client),
  async previous(secretId) {
    const value = await stageValue(secretId, "AWSPREVIOUS");
    return value === undefined ? undefined : (JSON.parse(value) as typeof oldMaterial);
  },
  async seedCredentials(secretId, value) {
    await client.send(new CreateSecretCommand({ Name: secretId, SecretString: JSON.stringify(value) }));
  },
});

describe("secrets-manager layout", () => {
  it("leaves plain material under AWSCURRENT after promotion and no AWSPENDING label", async () => {
    const store = new SecretsManagerStore(client);
    await store.putCurrent("certrelay/www", oldMaterial);
    await store.putPending("certrelay/www", pendingRenewal(issued));
    await store.promote("certrelay/www");
    const current = JSON.parse((await stageValue("certrelay/www", "AWSCURRENT")) ?? "{}") as Record<string, unknown>;
    expect(Object.keys(current).sort()).toEqual(["certificate", "chain", "privateKey"]);
    const described = await client.send(new DescribeSecretCommand({ SecretId: "certrelay/www" }));
    const stages = Object.values(described.VersionIdsToStages ?? {}).flat();
    expect(stages.sort()).toEqual(["AWSCURRENT", "AWSPREVIOUS"]);
  });

  it("maps an unreachable endpoint to STORE_ERROR naming the secret id", async () => {
    const offline = new SecretsManagerClient({ ...awsClientConfig("http://127.0.0.1:9"), maxAttempts: 1 });
    try {
      const store = new SecretsManagerStore(offline);
      await expect(store.getCurrent("certrelay/www")).rejects.toMatchObject({
        code: "STORE_ERROR",
        message: expect.stringContaining("certrelay/www"),
      });
      const error = await store.putCurrent("certrelay/www", oldMaterial).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "STORE_ERROR" });
      expect(String((error as Error).message)).not.toContain("MARKER");
    } finally {
      offline.destroy();
    }
  });

  it("rejects an AWSCURRENT value that is not certificate material without echoing it", async () => {
    await client.send(new CreateSecretCommand({ Name: "certrelay/odd", SecretString: '{"password":"pw-MARKER"}' }));
    const error = await new SecretsManagerStore(client).getCurrent("certrelay/odd").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "STORE_ERROR" });
    expect((error as Error).message).toContain("certrelay/odd");
    expect((error as Error).message).not.toContain("MARKER");
  });
});
