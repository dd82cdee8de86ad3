/**
 * Decide, for every managed certificate, whether this run has work to do. Reads only: the store's current and
 * pending versions, and (for certificates that are not due) what each target serves. Nothing is written.
 */
import pLimit, { type LimitFunction } from "p-limit";
import { renewBeforeDaysFor, type CertrelayConfig, type ManagedCertificate } from "../config/index.js";
import type { Clock, RenewalAdvice } from "../model.js";
import {
  CheckpointInterrupt,
  errorSummary,
  inspectTarget,
  renewalWindow,
  type CertificateReport,
  type Providers,
} from "../pipeline/index.js";
import type { ScanRead, Store } from "../store/index.js";
import { certFacts } from "../x509/index.js";

export type ScanReason =
  | "due" // inside its renewal window
  | "pending" // a renewal is in progress (a crashed or pending run): resume it
  | "missing" // the store holds no certificate yet: first issuance
  | "drift" // a target does not serve the stored certificate
  | "not-due" // valid, outside the window, every checked target serves it
  | "unreadable"; // the store could not be read; reported as a failure

export interface ScanEntry {
  certificate: ManagedCertificate;
  renewBeforeDays: number;
  reason: ScanReason;
  needsWork: boolean;
  /**
   * What the scan saw, as the pipeline's one report type (action `none`, or `failed` when unreadable): days left,
   * threshold, serial; `detail` says which target drifted or why the store could not be read. The scheduler's log
   * lines for certificates it leaves alone are derived from it, exactly as those of the ones it rotates.
   */
  report: CertificateReport;
}

export interface ScanDeps {
  store: Store;
  clock: Clock;
  /** when given, not-due certificates are checked on their targets (vendor reads only) */
  providers?: Providers;
  /** checks in flight per vendor endpoint (vendor rate limits are per endpoint, not per run) */
  concurrency: number;
}

/** Certificates read and waiting for their target checks at once: bounds memory, not speed. */
const MAX_IN_FLIGHT = 256;

/**
 * Reads the store in batches where it can (one request per 20 certificates instead of two per certificate), in
 * config order, and checks each certificate's targets as soon as its batch arrives, at most `concurrency` checks
 * per vendor endpoint. Work per certificate is constant, so a run grows linearly with the fleet.
 */
export async function scanFleet(config: CertrelayConfig, deps: ScanDeps): Promise<ScanEntry[]> {
  const entries: ScanEntry[] = new Array<ScanEntry>(config.certificates.length);
  await scanFleetEach(config, deps, (entry, i) => {
    entries[i] = entry;
  });
  return entries;
}

/**
 * scanFleet, handing each certificate's entry to `each` (with its index in `config.certificates`) as soon as it is
 * judged instead of keeping all of them: a caller that keeps only what it reports holds a small row per
 * certificate, not the scan's entries (the fleet scheduler at 10,000 certificates).
 */
export async function scanFleetEach(
  config: CertrelayConfig,
  deps: ScanDeps,
  each: (entry: ScanEntry, index: number) => void,
): Promise<void> {
  const limits = new EndpointLimits(deps.concurrency);
  const certificates = config.certificates;
  // each certificate's vendor objects are let go once it is judged, except those a later one shares
  deps.providers?.expect?.(certificates);
  const done = async (cert: ManagedCertificate, entry: ScanEntry, i: number) => {
    await deps.providers?.release?.(cert);
    each(entry, i);
  };
  const readMany = deps.store.readForScan?.bind(deps.store);
  if (!readMany) {
    const limit = pLimit(deps.concurrency);
    await Promise.all(
      certificates.map((cert, i) =>
        limit(async () => done(cert, await scanCertificate(cert, renewBeforeDaysFor(config, cert), deps, limits), i)),
      ),
    );
    return;
  }
  // secret -> the index of its certificate; the rare secret several certificates share keeps the others apart
  const bySecret = new Map<string, number>();
  const moreBySecret = new Map<string, number[]>();
  certificates.forEach((cert, i) => {
    if (!bySecret.has(cert.secret)) bySecret.set(cert.secret, i);
    else moreBySecret.set(cert.secret, [...(moreBySecret.get(cert.secret) ?? []), i]);
  });
  const inFlight = new InFlight();
  for await (const batch of readMany([...bySecret.keys()])) {
    for (const read of batch) {
      const first = bySecret.get(read.secretId);
      if (first === undefined) continue;
      // read once: the map shrinks as the scan goes
      bySecret.delete(read.secretId);
      for (const i of [first, ...(moreBySecret.get(read.secretId) ?? [])]) {
        const cert = certificates[i] as ManagedCertificate;
        const started = performance.now();
        inFlight.add(
          judge(cert, renewBeforeDaysFor(config, cert), deps, limits, started, read).then((entry) =>
            done(cert, entry, i),
          ),
        );
      }
    }
    await inFlight.atMost(MAX_IN_FLIGHT - 1);
  }
  await inFlight.atMost(0);
}

/**
 * Jobs in flight, and a wait for room that is not `Promise.race` over them: every race adds a reaction (and a
 * promise) to each pending job, so a job waiting on a slow vendor collects one per race it outlives. At 10,000
 * certificates that was ~40,000 reactions live at once, ~4 MiB of heap (heap snapshot of `npm run bench -- fleet`).
 */
class InFlight {
  private count = 0;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  add(job: Promise<void>): void {
    this.count += 1;
    void job
      .then(undefined, (error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.count -= 1;
        const wake = this.wake;
        this.wake = undefined;
        wake?.();
      });
  }

  /** Resolves once at most `max` jobs are in flight; throws the first job's failure (as Promise.race/all did). */
  async atMost(max: number): Promise<void> {
    while (this.count > max && this.failure === undefined) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure !== undefined) throw this.failure.error;
  }
}

export async function scanCertificate(
  cert: ManagedCertificate,
  renewBeforeDays: number,
  deps: ScanDeps,
  limits = new EndpointLimits(deps.concurrency),
): Promise<ScanEntry> {
  const started = performance.now();
  let read: ScanRead;
  try {
    const [current, pending] = await Promise.all([
      deps.store.getCurrent(cert.secret),
      deps.store.getPending(cert.secret),
    ]);
    read = { secretId: cert.secret, ...(current ? { current } : {}), pending: pending !== undefined };
  } catch (error) {
    if (error instanceof CheckpointInterrupt) throw error;
    read = { secretId: cert.secret, pending: false, error };
  }
  return judge(cert, renewBeforeDays, deps, limits, started, read);
}

async function judge(
  cert: ManagedCertificate,
  renewBeforeDays: number,
  deps: ScanDeps,
  limits: EndpointLimits,
  started: number,
  read: ScanRead,
): Promise<ScanEntry> {
  type Seen = Pick<CertificateReport, "daysLeft" | "thresholdDays" | "serial" | "detail" | "error">;
  const entry = (reason: ScanReason, needsWork: boolean, seen: Seen = {}): ScanEntry => ({
    certificate: cert,
    renewBeforeDays,
    reason,
    needsWork,
    report: {
      name: cert.name,
      action: seen.error ? "failed" : "none",
      due: reason === "due",
      targets: [],
      ...seen,
      durationMs: Math.round(performance.now() - started),
    },
  });
  try {
    if (read.error !== undefined) throw read.error;
    const { current, pending } = read;
    if (!current) return entry(pending ? "pending" : "missing", true);
    const facts = certFacts(current.certificate, `${cert.secret} certificate`);
    const window = renewalWindow(facts, deps.clock(), renewBeforeDays);
    const known = { daysLeft: window.daysLeft, thresholdDays: window.thresholdDays, serial: facts.serial };
    if (pending) return entry("pending", true, known);
    if (window.due) return entry("due", true, known);
    const advice = deps.providers
      ? await renewalAdviceFor(cert, current.certificate, deps.providers, limits)
      : undefined;
    if (advice && advice.renewAt.getTime() <= deps.clock().getTime())
      return entry("due", true, { ...known, detail: advice.detail });
    const drifted = deps.providers ? await driftedTarget(cert, facts.serial, deps.providers, limits) : undefined;
    if (drifted) return entry("drift", true, { ...known, detail: drifted });
    return entry("not-due", false, known);
  } catch (error) {
    if (error instanceof CheckpointInterrupt) throw error;
    // with its certificate, as a rotation's and `certrelay check`'s: a credentials secret that is missing or refused
    // names the fields its provider reads
    const summary = errorSummary(error, cert);
    return entry("unreadable", false, { error: summary, detail: summary.message });
  }
}

/**
 * The CA's own renewal time (renewal information, RFC 9773) for a certificate the days rule calls not due; undefined when
 * its issuer gives none or asking fails (the pipeline asks again and falls back on the days rule the same way).
 */
async function renewalAdviceFor(
  cert: ManagedCertificate,
  certificate: string,
  providers: Providers,
  limits: EndpointLimits,
): Promise<RenewalAdvice | undefined> {
  if (!cert.issuer) return undefined;
  try {
    const issuer = await providers.issuerFor(cert);
    if (!issuer?.renewalAdvice) return undefined;
    return await limits.run(issuer.label, () => issuer.renewalAdvice?.(certificate) ?? Promise.resolve(undefined));
  } catch {
    return undefined;
  }
}

/** One p-limit per vendor endpoint (origin): a slow or rate-limited vendor does not hold up the others. */
class EndpointLimits {
  private readonly limits = new Map<string, LimitFunction>();

  constructor(private readonly concurrency: number) {}

  run<T>(endpoint: string, task: () => Promise<T>): Promise<T> {
    const key = URL.canParse(endpoint) ? new URL(endpoint).origin : endpoint;
    let limit = this.limits.get(key);
    if (!limit) {
      limit = pLimit(this.concurrency);
      this.limits.set(key, limit);
    }
    return limit(task);
  }
}

/** The first target that does not serve `serial` (or could not be asked); the pipeline redeploys or reports it. */
async function driftedTarget(
  cert: ManagedCertificate,
  serial: string,
  providers: Providers,
  limits: EndpointLimits,
): Promise<string | undefined> {
  if (cert.targets.length === 0) return undefined;
  const targets = await providers.targetsFor(cert);
  for (const [i, target] of targets.entries()) {
    // the pipeline's inspect step, each read under the endpoint's concurrency limit
    const seen = await inspectTarget(
      target,
      { serial },
      { run: (task) => limits.run(cert.targets[i]?.endpoint ?? target.label, task) },
    );
    if (seen.error) return `${target.label} could not be checked (${seen.error.code})`;
    if (!seen.verified?.ok) return `${target.label} serves ${seen.verified?.servedSerial ?? "another certificate"}`;
  }
  return undefined;
}
