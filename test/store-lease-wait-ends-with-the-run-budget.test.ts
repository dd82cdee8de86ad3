/**
 * A run waiting for another run's lease on a shared secret (the ACME account, the vendor sessions beside
 * credentials) stops waiting when its own budget is spent or it is stopped, and says so: the budget and how to give
 * more, not a holder that "stayed" for 0 s.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Deadline } from "../src/deadline.js";
import { CertrelayError, ErrorCodes } from "../src/errors.js";
import { FileStore } from "../src/store/index.js";
import { withLease } from "../src/store/lease.js";

describe("withLease against a lease another run holds", () => {
  let dir: string;
  let store: FileStore;
  let release: () => Promise<void>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "certrelay-lease-budget-"));
    store = new FileStore({ dir });
    const held = await store.acquireLease("certrelay/pbx", { owner: "other-run", now: new Date(), ttlMs: 60_000 });
    if (!held.acquired) throw new Error("the test's own lease was refused");
    release = () => held.lease.release();
  });
  afterAll(async () => {
    await release?.();
    await rm(dir, { recursive: true, force: true });
  });

  async function waitFor(deadline: Deadline): Promise<CertrelayError> {
    let ran = false;
    const error = await withLease(
      store,
      "certrelay/pbx",
      async () => {
        ran = true;
      },
      { what: "record the vendor session beside the credentials", deadline },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(CertrelayError);
    return error as CertrelayError;
  }

  it("names the run's budget and its fix when the budget runs out first", async () => {
    const deadline = new Deadline({ budgetMs: 150, budget: "--timeout", fix: "raise --timeout" });
    const error = await waitFor(deadline);
    expect(error.code).toBe(ErrorCodes.TIMEOUT);
    expect(error.message).toContain("--timeout budget");
    expect(error.message).toContain("raise --timeout");
    expect(error.message).toContain("record the vendor session beside the credentials");
  });

  it("says the run was stopped when a signal stopped it", async () => {
    const deadline = new Deadline({ budgetMs: 600_000, budget: "wait-seconds" });
    deadline.stop("SIGINT");
    const error = await waitFor(deadline);
    expect(error.code).toBe(ErrorCodes.TIMEOUT);
    expect(error.message).toContain("the run was stopped (SIGINT)");
  });
});
