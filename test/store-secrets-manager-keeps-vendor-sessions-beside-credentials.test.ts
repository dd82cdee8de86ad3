import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretsManagerStore } from "../src/store/index.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";

let moto: MotoServer;
let client: SecretsManagerClient;
let store: SecretsManagerStore;

beforeAll(async () => {
  moto = await startMoto();
  client = new SecretsManagerClient(awsClientConfig(moto.endpoint));
  store = new SecretsManagerStore(client);
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

const session = (n: number) => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  accessExpiresAt: 1_800_000 + n,
  refreshExpiresAt: 86_400_000 + n,
});

describe("Secrets Manager keeps vendor sessions under their own label on the credentials secret", () => {
  it("records, reads and drops sessions per endpoint while the credentials stay AWSCURRENT, untouched", async () => {
    await store.putCredentials("certrelay/pbx", { username: "client-id", password: "client-secret" });
    expect(await store.sessions.getSessions("certrelay/pbx", "https://pbx-a:8088")).toEqual([]);

    await Promise.all([
      store.sessions.putSession("certrelay/pbx", "https://pbx-a:8088", session(1)),
      store.sessions.putSession("certrelay/pbx", "https://pbx-b:8088", session(2)),
    ]);
    await store.sessions.putSession("certrelay/pbx", "https://pbx-a:8088", session(3));
    expect((await store.sessions.getSessions("certrelay/pbx", "https://pbx-a:8088")).map((s) => s.accessToken)).toEqual(
      ["access-3", "access-1"],
    );
    expect(await store.sessions.getSessions("certrelay/pbx", "https://pbx-b:8088")).toEqual([session(2)]);

    // the credentials are what every reader of AWSCURRENT gets, with no token mixed in
    expect(await store.getCredentials("certrelay/pbx")).toEqual({ username: "client-id", password: "client-secret" });
    const current = await client.send(
      new GetSecretValueCommand({ SecretId: "certrelay/pbx", VersionStage: "AWSCURRENT" }),
    );
    expect(current.SecretString).not.toContain("access-");

    await store.sessions.removeSession("certrelay/pbx", "https://pbx-a:8088", "access-3");
    expect((await store.sessions.getSessions("certrelay/pbx", "https://pbx-a:8088")).map((s) => s.accessToken)).toEqual(
      ["access-1"],
    );
  });
});
