import type { Lease } from "./types.js";

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
