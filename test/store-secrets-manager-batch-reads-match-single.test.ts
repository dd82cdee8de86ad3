import { randomUUID } from "node:crypto";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CertrelayError } from "../src/errors.js";
import { SecretsManagerStore, type ScanRead } from "../src/store/index.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";
import { issued, oldMaterial, pendingRenewal } from "./support/store-contract.js";

let moto: MotoServer;
let client: SecretsManagerClient;
/** Secrets Manager operations sent by the store under test, by name */
const sent = new Map<string, number>();

beforeAll(async () => {
  moto = await startMoto();
  client = new SecretsManagerClient(awsClientConfig(moto.endpoint));
  client.middlewareStack.add(
    (next, context) => (args) => {
      const op = String(context.commandName ?? "?").replace(/Command$/, "");
      sent.set(op, (sent.get(op) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "countOperations" },
  );
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
});

/** a read as the test compares it: the error by its code */
type Compared = Omit<ScanRead, "error"> & { failed?: string };

const material = (n: number) => ({
  ...oldMaterial,
  certificate: oldMaterial.certificate.replace("OLD-CERT", `CERT-${n}`),
});

/** What getCurrent + getPending answer, in the shape readForScan answers. */
async function singleReads(store: SecretsManagerStore, ids: string[]): Promise<Compared[]> {
  return Promise.all(
    ids.map(async (secretId) => {
      try {
        const [current, pending] = await Promise.all([store.getCurrent(secretId), store.getPending(secretId)]);
        return { secretId, ...(current ? { current } : {}), pending: pending !== undefined };
      } catch (error) {
        return { secretId, pending: false, failed: (error as CertrelayError).code };
      }
    }),
  );
}

async function batchReads(store: SecretsManagerStore, ids: string[]): Promise<Compared[]> {
  const out: Compared[] = [];
  for await (const batch of store.readForScan(ids)) {
    for (const { error, ...read } of batch)
      out.push(error === undefined ? read : { ...read, failed: (error as CertrelayError).code });
  }
  return out;
}

describe("secrets-manager fleet scan reads", () => {
  it("answer what getCurrent and getPending answer, for every kind of secret, in the order asked", async () => {
    const store = new SecretsManagerStore(client);
    const plain = Array.from({ length: 45 }, (_, i) => `certrelay/batch/plain-${i}`);
    for (const [i, id] of plain.entries()) await store.putCurrent(id, material(i));
    // a renewal in progress beside the current certificate
    await store.putCurrent("certrelay/batch/renewing", material(100));
    await store.putPending("certrelay/batch/renewing", pendingRenewal());
    // a first issuance in progress: AWS labels the only version AWSCURRENT too
    await store.putPending("certrelay/batch/first", pendingRenewal());
    // promote() interrupted after writing the final version
    await store.putCurrent("certrelay/batch/promoting", material(101));
    await client.send(
      new PutSecretValueCommand({
        SecretId: "certrelay/batch/promoting",
        SecretString: JSON.stringify({
          certificate: issued.certificate,
          privateKey: pendingRenewal().privateKey,
          chain: issued.chain,
        }),
        VersionStages: ["AWSPENDING"],
        ClientRequestToken: randomUUID(),
      }),
    );
    // not certificate material, a secret without a value, and no secret at all
    await client.send(
      new CreateSecretCommand({
        Name: "certrelay/batch/not-material",
        SecretString: JSON.stringify({ hello: "world" }),
      }),
    );
    await client.send(new CreateSecretCommand({ Name: "certrelay/batch/empty" }));
    const ids = [
      ...plain.slice(0, 20),
      "certrelay/batch/renewing",
      "certrelay/batch/first",
      ...plain.slice(20),
      "certrelay/batch/promoting",
      "certrelay/batch/not-material",
      "certrelay/batch/empty",
      "certrelay/batch/absent",
    ];

    const single = await singleReads(store, ids);
    sent.clear();
    const batched = await batchReads(store, ids);

    expect(batched).toEqual(single);
    expect(batched.map((r) => r.secretId)).toEqual(ids);
    // the scan sees what a user expects of each
    const by = new Map(batched.map((r) => [r.secretId, r]));
    expect(by.get("certrelay/batch/renewing")).toMatchObject({ pending: true, current: material(100) });
    expect(by.get("certrelay/batch/first")).toEqual({ secretId: "certrelay/batch/first", pending: true });
    expect(by.get("certrelay/batch/promoting")).toMatchObject({ pending: true, current: material(101) });
    expect(by.get("certrelay/batch/not-material")).toMatchObject({ failed: "STORE_ERROR" });
    expect(by.get("certrelay/batch/absent")).toEqual({ secretId: "certrelay/batch/absent", pending: false });
    // 52 secrets: far fewer requests than two reads each
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    expect(sent.get("BatchGetSecretValue")).toBeGreaterThan(0);
    expect(total).toBeLessThan(ids.length);
  });

  it("read every current certificate of a fleet with one stage map and one batch per 20 secrets", async () => {
    const store = new SecretsManagerStore(client);
    const ids = Array.from({ length: 60 }, (_, i) => `certrelay/fleet/${i}`);
    for (const [i, id] of ids.entries()) await store.putCurrent(id, material(i));
    sent.clear();
    const reads = await batchReads(store, ids);
    expect(reads.map((r) => r.current)).toEqual(ids.map((_, i) => material(i)));
    expect(reads.every((r) => !r.pending)).toBe(true);
    expect(Object.fromEntries(sent)).toEqual({ ListSecrets: 1, BatchGetSecretValue: 3 });
  });
});
