/**
 * One writer per certificate: the lease each store gives a run before it writes. Secrets Manager (real moto_server)
 * by compare-and-set on a version stage; the file store by an OS-level lock file.
 */
import { mkdir, mkdtemp, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FileStore, SecretsManagerStore, type LeaseAttempt } from "../src/store/index.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";
import { oldMaterial, pendingRenewal } from "./support/store-contract.js";

const NOW = new Date("2026-11-30T09:00:00Z");
const TTL = 15 * 60_000;

function owners(attempts: LeaseAttempt[]): string[] {
  return attempts.flatMap((a) => (a.acquired ? [a.lease.owner] : []));
}

describe("Secrets Manager lease (moto_server)", () => {
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

  it("of runs racing for one certificate, exactly one gets the lease, on a new secret and on an existing one", async () => {
    for (const secret of ["certrelay/new", "certrelay/existing"]) {
      if (secret === "certrelay/existing") await new SecretsManagerStore(client).putCurrent(secret, oldMaterial);
      const runs = ["run-a", "run-b", "run-c"].map((owner) =>
        new SecretsManagerStore(client).acquireLease(secret, { owner, now: NOW, ttlMs: TTL }),
      );
      const attempts = await Promise.all(runs);
      expect(owners(attempts), secret).toHaveLength(1);
      const loser = attempts.find((a) => !a.acquired);
      expect(loser).toMatchObject({ acquired: false });
    }
  });

  it("a live lease is refused and says who holds it until when; released, it is free again", async () => {
    const store = new SecretsManagerStore(client);
    const first = await store.acquireLease("certrelay/www", { owner: "scheduler-1", now: NOW, ttlMs: TTL });
    expect(first.acquired).toBe(true);
    const second = await store.acquireLease("certrelay/www", {
      owner: "cli-2",
      now: new Date(NOW.getTime() + 60_000),
      ttlMs: TTL,
    });
    expect(second).toEqual({
      acquired: false,
      holder: "scheduler-1",
      expiresAt: new Date(NOW.getTime() + TTL).toISOString(),
    });
    if (first.acquired) await first.lease.release();
    const third = await store.acquireLease("certrelay/www", {
      owner: "cli-2",
      now: new Date(NOW.getTime() + 60_000),
      ttlMs: TTL,
    });
    expect(third.acquired).toBe(true);
  });

  it("an expired lease (its run was killed) is taken over, and the dead run's late release does not free it", async () => {
    const store = new SecretsManagerStore(client);
    const dead = await store.acquireLease("certrelay/www", { owner: "killed", now: NOW, ttlMs: TTL });
    const later = new Date(NOW.getTime() + TTL + 1);
    const taker = await store.acquireLease("certrelay/www", { owner: "next", now: later, ttlMs: TTL });
    expect(taker.acquired).toBe(true);
    if (dead.acquired) await dead.lease.release();
    expect(await store.acquireLease("certrelay/www", { owner: "third", now: later, ttlMs: TTL })).toMatchObject({
      acquired: false,
      holder: "next",
    });
  });

  it("the lease never shows as material: a secret whose first version is a lease has no current, and promotes normally", async () => {
    const store = new SecretsManagerStore(client);
    const lease = await store.acquireLease("certrelay/first", { owner: "run", now: NOW, ttlMs: TTL });
    expect(await store.getCurrent("certrelay/first")).toBeUndefined();
    expect(await store.getPending("certrelay/first")).toBeUndefined();
    await store.putPending(
      "certrelay/first",
      pendingRenewal({
        certificate: oldMaterial.certificate,
        chain: oldMaterial.chain,
        privateKey: oldMaterial.privateKey,
      }),
    );
    await store.promote("certrelay/first");
    expect(await store.getCurrent("certrelay/first")).toEqual(oldMaterial);
    if (lease.acquired) await lease.lease.release();
  });
});

describe("file store lease (OS lock file)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "certrelay-lease-"));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("two stores on one directory: one lock holder at a time, free again once released", async () => {
    const a = new FileStore({ dir });
    const b = new FileStore({ dir });
    const attempts = await Promise.all([
      a.acquireLease("certrelay/www", { owner: "a", now: NOW, ttlMs: TTL }),
      b.acquireLease("certrelay/www", { owner: "b", now: NOW, ttlMs: TTL }),
    ]);
    expect(owners(attempts)).toHaveLength(1);
    const held = attempts.find((x) => x.acquired);
    if (held?.acquired) await held.lease.release();
    const again = await b.acquireLease("certrelay/www", { owner: "b", now: NOW, ttlMs: TTL });
    expect(again.acquired).toBe(true);
    if (again.acquired) await again.lease.release();
    // the lock lives beside the secret file and never lists as a secret
    await a.putCurrent("certrelay/www", oldMaterial);
    const ids: string[] = [];
    for await (const id of a.list("")) ids.push(id);
    expect(ids).toEqual(["certrelay/www"]);
  });

  it("a lock left by a killed process goes stale and is taken over", async () => {
    const store = new FileStore({ dir, lockStaleMs: 2_000 });
    // what a SIGKILLed holder leaves: the lock directory, no longer refreshed
    const lock = join(dir, `.${encodeURIComponent("certrelay/api")}.lock`);
    await mkdir(lock, { recursive: true });
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const taken = await store.acquireLease("certrelay/api", { owner: "next", now: NOW, ttlMs: TTL });
    expect(taken.acquired).toBe(true);
    if (taken.acquired) await taken.lease.release();
  });
});
