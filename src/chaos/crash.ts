/**
 * A simulated process crash. When a checkpoint throws, runPipeline rejects at once but certificates already in
 * flight would keep running beside the next round, which no real crash allows. The gate makes the "dead
 * process" stop at its next store call and tells when every rotation it started has ended.
 */
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { CertificateMaterial } from "../model.js";
import type { LeaseAttempt, LeaseRequest, PendingRenewal, Store } from "../store/index.js";

export class SimulatedCrash extends Error {
  constructor(readonly stage: string) {
    super(`chaos: simulated crash at ${stage}`);
    this.name = "SimulatedCrash";
  }
}

export class CrashGate implements Store {
  readonly kind: Store["kind"];
  private crashed = false;
  /** secrets whose rotation started in this run (a rotation reads its current material once or more) */
  private readonly startedSecrets = new Set<string>();
  private ended = 0;

  /** `onPromoted`: told each promotion as it happens, so two promotions within one round are both seen */
  constructor(
    private readonly inner: Store,
    private readonly onPromoted?: (secretId: string) => Promise<void>,
  ) {
    this.kind = inner.kind;
  }

  /** The run died: every later store call of this run fails. */
  crash(): void {
    this.crashed = true;
  }

  get isCrashed(): boolean {
    return this.crashed;
  }

  /** A rotation ended (its report came back, or it was the one that crashed). */
  rotationEnded(): void {
    this.ended += 1;
  }

  /** Wait (bounded) until every rotation started in this run has ended. */
  async settled(maxWaitMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + maxWaitMs;
    while (this.ended < this.startedSecrets.size) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return true;
  }

  /** performance.now() of this run's latest store call: a dead run has settled once it has gone quiet */
  lastCallAt = performance.now();

  /** Wait (bounded) until no store call has come through this gate for `quietMs`. */
  async quiet(quietMs = 200, maxWaitMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + maxWaitMs;
    while (performance.now() - this.lastCallAt < quietMs) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  private guard(): void {
    this.lastCallAt = performance.now();
    if (this.crashed) throw new CertrelayError(ErrorCodes.STORE_ERROR, "chaos: the process is down", {});
  }

  async getCurrent(secretId: string): Promise<CertificateMaterial | undefined> {
    // each rotation starts by reading its current material; one run rotates a certificate once
    this.startedSecrets.add(secretId);
    this.guard();
    return this.inner.getCurrent(secretId);
  }
  async getPending(secretId: string): Promise<PendingRenewal | undefined> {
    this.guard();
    return this.inner.getPending(secretId);
  }
  async putPending(secretId: string, pending: PendingRenewal): Promise<void> {
    this.guard();
    return this.inner.putPending(secretId, pending);
  }
  async promote(secretId: string): Promise<void> {
    this.guard();
    await this.inner.promote(secretId);
    await this.onPromoted?.(secretId);
  }
  async clearPending(secretId: string): Promise<void> {
    this.guard();
    return this.inner.clearPending(secretId);
  }
  async putCurrent(secretId: string, material: CertificateMaterial): Promise<void> {
    this.guard();
    return this.inner.putCurrent(secretId, material);
  }
  async acquireLease(secretId: string, request: LeaseRequest): Promise<LeaseAttempt> {
    this.guard();
    // The lease itself is the inner store's: a dead run's rotation releases it as it ends, the way a dead
    // process's lease expires, and the next run takes it over.
    return this.inner.acquireLease(secretId, request);
  }
  getCredentials(secretId: string): Promise<Record<string, string>> {
    return this.inner.getCredentials(secretId);
  }
  list(prefix: string): AsyncIterable<string> {
    return this.inner.list(prefix);
  }
}
