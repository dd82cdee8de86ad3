import { describe, expect, it } from "vitest";
import { CertrelayError } from "../../src/errors.js";
import type { CertificateMaterial } from "../../src/model.js";
import type { PendingRenewal, Store } from "../../src/store/index.js";

/**
 * One behaviour table run over every Store implementation, so Secrets Manager and the file store cannot drift.
 * Values are recognisable markers, not real keys: the stores never parse PEM, and a marker makes a leak easy to spot.
 */
export interface StoreHarness {
  store(): Store;
  /** The AWSPREVIOUS material, read behind the store's back. */
  previous(secretId: string): Promise<CertificateMaterial | undefined>;
  /** Write a credentials secret the way an operator would (console/IaC or by hand). */
  seedCredentials(secretId: string, value: unknown): Promise<void>;
}

export const oldMaterial: CertificateMaterial = {
  certificate: "-----BEGIN CERTIFICATE-----\nOLD-CERT\n-----END CERTIFICATE-----\n",
  privateKey: "-----BEGIN PRIVATE KEY-----\nOLD-KEY-MARKER\n-----END PRIVATE KEY-----\n",
  chain: "-----BEGIN CERTIFICATE-----\nOLD-CHAIN\n-----END CERTIFICATE-----\n",
};

export function pendingRenewal(overrides: Partial<PendingRenewal> = {}): PendingRenewal {
  return {
    reference: "certrelay:www:0A1B",
    createdAt: "2026-11-24T12:00:00.000Z",
    privateKey: "-----BEGIN PRIVATE KEY-----\nNEW-KEY-MARKER\n-----END PRIVATE KEY-----\n",
    csr: "-----BEGIN CERTIFICATE REQUEST-----\nNEW-CSR\n-----END CERTIFICATE REQUEST-----\n",
    deployedTo: [],
    attempts: 0,
    ...overrides,
  };
}

export const issued = {
  certificate: "-----BEGIN CERTIFICATE-----\nNEW-CERT\n-----END CERTIFICATE-----\n",
  chain: "-----BEGIN CERTIFICATE-----\nNEW-CHAIN\n-----END CERTIFICATE-----\n",
};

async function caught(run: () => Promise<unknown>): Promise<CertrelayError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof CertrelayError) return e;
    throw e;
  }
  throw new Error("expected the operation to fail");
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const id of iterable) out.push(id);
  return out;
}

export function describeStoreContract(name: string, harness: StoreHarness): void {
  describe(`${name} store contract`, () => {
    it("answers undefined for a secret that does not exist", async () => {
      const store = harness.store();
      expect(await store.getCurrent("certrelay/absent")).toBeUndefined();
      expect(await store.getPending("certrelay/absent")).toBeUndefined();
    });

    it("returns the current material that was put", async () => {
      const store = harness.store();
      await store.putCurrent("certrelay/www", oldMaterial);
      expect(await store.getCurrent("certrelay/www")).toEqual(oldMaterial);
    });

    it("keeps a pending renewal invisible to getCurrent", async () => {
      const store = harness.store();
      await store.putCurrent("certrelay/www", oldMaterial);
      await store.putPending("certrelay/www", pendingRenewal({ ...issued, orderId: "77" }));
      expect(await store.getCurrent("certrelay/www")).toEqual(oldMaterial);
      expect(await store.getPending("certrelay/www")).toEqual(pendingRenewal({ ...issued, orderId: "77" }));
    });

    it("reports no current when the first write was a pending renewal", async () => {
      const store = harness.store();
      await store.putPending("certrelay/new", pendingRenewal());
      expect(await store.getCurrent("certrelay/new")).toBeUndefined();
      expect(await store.getPending("certrelay/new")).toEqual(pendingRenewal());
    });

    it("overwrites the pending renewal, keeping every field", async () => {
      const store = harness.store();
      await store.putPending("certrelay/www", pendingRenewal());
      const updated = pendingRenewal({
        orderId: "order-9",
        deployedTo: ["cdn https://127.0.0.1:1"],
        attempts: 2,
        lastError: { code: "VENDOR_ERROR", message: "upload refused", at: "2026-11-24T12:05:00.000Z" },
      });
      await store.putPending("certrelay/www", updated);
      expect(await store.getPending("certrelay/www")).toEqual(updated);
    });

    it("promotes pending to current, moves the old current to previous and drops pending", async () => {
      const store = harness.store();
      await store.putCurrent("certrelay/www", oldMaterial);
      await store.putPending("certrelay/www", pendingRenewal(issued));
      await store.promote("certrelay/www");
      expect(await store.getCurrent("certrelay/www")).toEqual({
        certificate: issued.certificate,
        chain: issued.chain,
        privateKey: pendingRenewal().privateKey,
      });
      expect(await harness.previous("certrelay/www")).toEqual(oldMaterial);
      expect(await store.getPending("certrelay/www")).toBeUndefined();
    });

    it("promotes a first renewal that had no current before", async () => {
      const store = harness.store();
      await store.putPending("certrelay/first", pendingRenewal());
      await store.putPending("certrelay/first", pendingRenewal({ ...issued, attempts: 1 }));
      await store.promote("certrelay/first");
      expect((await store.getCurrent("certrelay/first"))?.certificate).toBe(issued.certificate);
      expect(await store.getPending("certrelay/first")).toBeUndefined();
      expect(await harness.previous("certrelay/first")).toBeUndefined();
    });

    it("refuses to promote a renewal that has no certificate yet and leaves current intact", async () => {
      const store = harness.store();
      await store.putCurrent("certrelay/www", oldMaterial);
      await store.putPending("certrelay/www", pendingRenewal({ orderId: "77" }));
      const error = await caught(() => store.promote("certrelay/www"));
      expect(error.code).toBe("STORE_ERROR");
      expect(error.message).toContain("certrelay/www");
      expect(error.message).not.toContain("MARKER");
      expect(await store.getCurrent("certrelay/www")).toEqual(oldMaterial);
      expect(await store.getPending("certrelay/www")).toEqual(pendingRenewal({ orderId: "77" }));
    });

    it("refuses to promote when there is no pending renewal and leaves current intact", async () => {
      const store = harness.store();
      await store.putCurrent("certrelay/www", oldMaterial);
      const error = await caught(() => store.promote("certrelay/www"));
      expect(error.code).toBe("STORE_NOT_FOUND");
      expect(error.message).toContain("certrelay/www");
      expect(await store.getCurrent("certrelay/www")).toEqual(oldMaterial);
    });

    it("clears a pending renewal without touching current", async () => {
      const store = harness.store();
      await store.putCurrent("certrelay/www", oldMaterial);
      await store.putPending("certrelay/www", pendingRenewal());
      await store.clearPending("certrelay/www");
      expect(await store.getPending("certrelay/www")).toBeUndefined();
      expect(await store.getCurrent("certrelay/www")).toEqual(oldMaterial);
      await store.clearPending("certrelay/never-written");
    });

    it("reads credentials as an object of strings", async () => {
      await harness.seedCredentials("certrelay/reseller", { username: "api-user", password: "pw-MARKER", port: 8088 });
      expect(await harness.store().getCredentials("certrelay/reseller")).toEqual({
        username: "api-user",
        password: "pw-MARKER",
        port: "8088",
      });
    });

    it("names the missing credentials secret, never a value", async () => {
      const error = await caught(() => harness.store().getCredentials("certrelay/missing-creds"));
      expect(error.code).toBe("STORE_NOT_FOUND");
      expect(error.message).toContain("certrelay/missing-creds");
    });

    it("rejects credentials that are not an object of strings without echoing them", async () => {
      await harness.seedCredentials("certrelay/bad-creds", ["pw-MARKER"]);
      const error = await caught(() => harness.store().getCredentials("certrelay/bad-creds"));
      expect(error.code).toBe("STORE_ERROR");
      expect(error.message).toContain("certrelay/bad-creds");
      expect(error.message).not.toContain("MARKER");
    });

    it("lists secret ids under a prefix", async () => {
      const store = harness.store();
      await store.putCurrent("certrelay/www", oldMaterial);
      await store.putPending("certrelay/api", pendingRenewal());
      await store.putCurrent("other/www", oldMaterial);
      await store.putCurrent("xcertrelay/www", oldMaterial);
      expect((await collect(store.list("certrelay/"))).sort()).toEqual(["certrelay/api", "certrelay/www"]);
    });
  });
}
