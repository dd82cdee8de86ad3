import { randomUUID } from "node:crypto";
import type { Deadline } from "../deadline.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { Lease, Store } from "./types.js";

/**
 * A lease whose release runs `free` at most once and never throws: the `Lease` contract says release is safe to
 * call twice, and a failed free means the lease was taken over meanwhile, so it is not ours to give back.
 */
export function onceReleasedLease(owner: string, free: () => Promise<unknown>): Lease {
  let released = false;
  return {
    owner,
    release: async () => {
      if (released) return;
      released = true;
      await free().catch(() => undefined);
    },
  };
}

export interface ExclusiveOptions {
  /** who waits, for the holder's view and for logs; default a random id */
  owner?: string;
  /** how long the lease lasts if this holder dies without releasing it (Secrets Manager; the file store's lock goes stale) */
  ttlMs?: number;
  /** give up waiting for another holder after this long (real time): default 30 s */
  waitMs?: number;
  /** the run's budget: waiting stops when it is spent */
  deadline?: Deadline | undefined;
  /** what is being done under the lease, for the error when waiting gives up, e.g. "record a Yeastar session" */
  what: string;
  /** the error when waiting gives up, instead of the store error naming `what` */
  gaveUp?: (holder: string, waitedMs: number) => Error;
}

/**
 * `fn` run while holding `secretId`'s lease, across processes (the same compare-and-set lease a certificate's
 * rotation takes): for short read-modify-writes of a secret that several runs share, like the vendor sessions and
 * the ACME account kept beside credentials. A lease held elsewhere is waited for in real time (it is another
 * process's work, not this run's clock), in short steps, and given up after `waitMs` with a typed error.
 */
export async function withLease<T>(
  store: Pick<Store, "acquireLease">,
  secretId: string,
  fn: () => Promise<T>,
  options: ExclusiveOptions,
): Promise<T> {
  const owner = options.owner ?? `certrelay ${randomUUID()}`;
  const waitMs = options.waitMs ?? 30_000;
  const started = performance.now();
  for (let attempt = 1; ; attempt += 1) {
    const taken = await store.acquireLease(secretId, { owner, now: new Date(), ttlMs: options.ttlMs ?? 60_000 });
    if (taken.acquired) {
      try {
        return await fn();
      } finally {
        await taken.lease.release();
      }
    }
    const delayMs = Math.min(20 * attempt, 250);
    const waited = performance.now() - started;
    // The run's budget (a Lambda's remaining time, --timeout) or a stop ended the wait: that is what the user can
    // act on, not the holder's `waitMs` ("held for 0 s" after a SIGINT would send them looking for a stuck run).
    if (options.deadline && delayMs >= options.deadline.remaining()) {
      throw options.deadline.error(`waiting for ${taken.holder}, which holds '${secretId}', to ${options.what}`);
    }
    if (waited + delayMs > waitMs) {
      if (options.gaveUp) throw options.gaveUp(taken.holder, waited);
      throw new CertrelayError(
        ErrorCodes.STORE_ERROR,
        `could not ${options.what}: '${secretId}' stayed held by ${taken.holder} for ${Math.round(waited / 1000)} s; the next run tries again`,
        { field: secretId },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}
