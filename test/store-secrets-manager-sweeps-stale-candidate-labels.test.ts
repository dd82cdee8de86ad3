/**
 * A run killed between writing its compare-and-set candidate and dropping its label (or whose drop failed) leaves
 * that label on a version for good: Secrets Manager never removes labelled versions and limits labels per secret.
 * A later lease or sessions update sweeps its family's stale candidates (real moto_server) and keeps everything else.
 */
import { randomUUID } from "node:crypto";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SecretsManagerStore } from "../src/store/index.js";
import { SecretsManagerSessions } from "../src/store/sessions.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";

const LEASE = "certrelay-lease";
const SESSIONS = "CERTRELAY_SESSIONS";
const TTL = 15 * 60_000;

/** A candidate label as a run made it `ageMs` ago. */
function timed(label: string, ageMs: number): string {
  return `${label}-c${(Date.now() - ageMs).toString(36)}-${randomUUID().slice(0, 8)}`;
}

/** A candidate label as certrelay made it before the creation time was part of it. */
function oldFormat(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

describe("stale compare-and-set candidate labels are swept (moto_server)", () => {
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
  beforeEach(async () => moto.reset());

  async function labels(c: SecretsManagerClient, secretId: string): Promise<string[]> {
    const described = await c.send(new DescribeSecretCommand({ SecretId: secretId }));
    return Object.values(described.VersionIdsToStages ?? {}).flat();
  }

  /** Each label on a version of its own, as a killed run leaves it. */
  async function seed(c: SecretsManagerClient, secretId: string, stages: string[]): Promise<void> {
    for (const stage of stages) {
      await c.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          SecretString: '{"left":"over"}',
          VersionStages: [stage],
          ClientRequestToken: randomUUID(),
        }),
      );
    }
  }

  function family(label: string) {
    return {
      stale: timed(label, 20 * 60_000),
      old: oldFormat(label),
      fresh: timed(label, 60_000),
    };
  }

  it("a lease taken and released removes its family's stale and old-format candidates, and keeps the rest", async () => {
    const secretId = "certrelay/www";
    await client.send(new CreateSecretCommand({ Name: secretId, SecretString: '{"current":true}' }));
    const lease = family(LEASE);
    const otherFamily = timed(SESSIONS, 20 * 60_000);
    await seed(client, secretId, [lease.stale, lease.old, lease.fresh, "unrelated-label", otherFamily]);

    const store = new SecretsManagerStore(client);
    const taken = await store.acquireLease(secretId, { owner: "run-a", now: new Date(), ttlMs: TTL });
    expect(taken.acquired).toBe(true);
    if (taken.acquired) await taken.lease.release();

    const after = await labels(client, secretId);
    expect(after).not.toContain(lease.stale);
    expect(after).not.toContain(lease.old);
    expect(after).toEqual(expect.arrayContaining([lease.fresh, "unrelated-label", otherFamily, LEASE, "AWSCURRENT"]));
    // no candidate of the runs themselves is left behind either
    expect(after.filter((l) => l.startsWith(`${LEASE}-`))).toEqual([lease.fresh]);

    // the lease still works: free after the release, refused while held
    const next = await store.acquireLease(secretId, { owner: "run-b", now: new Date(), ttlMs: TTL });
    expect(next.acquired).toBe(true);
    expect(await store.acquireLease(secretId, { owner: "run-c", now: new Date(), ttlMs: TTL })).toMatchObject({
      acquired: false,
      holder: "run-b",
    });
  });

  it("leftovers beside a lease that already exists are swept by the next run's lease", async () => {
    const secretId = "certrelay/api";
    await client.send(new CreateSecretCommand({ Name: secretId, SecretString: '{"current":true}' }));
    const first = await new SecretsManagerStore(client).acquireLease(secretId, {
      owner: "run-a",
      now: new Date(),
      ttlMs: TTL,
    });
    if (first.acquired) await first.lease.release();
    const lease = family(LEASE);
    await seed(client, secretId, [lease.stale, lease.old, lease.fresh, "unrelated-label"]);

    // another process (its own client): the lease label is there, so the sweep reads the stages itself
    const other = new SecretsManagerClient(awsClientConfig(moto.endpoint));
    try {
      const taken = await new SecretsManagerStore(other).acquireLease(secretId, {
        owner: "run-b",
        now: new Date(),
        ttlMs: TTL,
      });
      expect(taken.acquired).toBe(true);
      const after = await labels(client, secretId);
      expect(after).not.toContain(lease.stale);
      expect(after).not.toContain(lease.old);
      expect(after).toEqual(expect.arrayContaining([lease.fresh, "unrelated-label", LEASE, "AWSCURRENT"]));
    } finally {
      other.destroy();
    }
  });

  it("a sessions update removes the sessions family's stale candidates and leaves the lease family's alone", async () => {
    const secretId = "yeastar/pbx-credentials";
    await client.send(new CreateSecretCommand({ Name: secretId, SecretString: '{"clientId":"id"}' }));
    const sessions = family(SESSIONS);
    const leaseLeftover = timed(LEASE, 20 * 60_000);
    await seed(client, secretId, [sessions.stale, sessions.old, sessions.fresh, "unrelated-label", leaseLeftover]);

    const store = new SecretsManagerSessions(client);
    const session = {
      accessToken: "access-1",
      refreshToken: "refresh-1",
      accessExpiresAt: Date.now() + 30 * 60_000,
      refreshExpiresAt: Date.now() + 24 * 60 * 60_000,
    };
    await store.putSession(secretId, "https://pbx.example", session);

    const after = await labels(client, secretId);
    expect(after).not.toContain(sessions.stale);
    expect(after).not.toContain(sessions.old);
    expect(after).toEqual(
      expect.arrayContaining([sessions.fresh, "unrelated-label", leaseLeftover, SESSIONS, "AWSCURRENT"]),
    );
    expect(await store.getSessions(secretId, "https://pbx.example")).toEqual([session]);
  });
});
