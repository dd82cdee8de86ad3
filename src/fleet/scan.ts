/**
 * Decide, for every managed certificate, whether this run has work to do. Reads only: the store's current and
 * pending versions, and (for certificates that are not due) what each target serves. Nothing is written.
 */
import pLimit from "p-limit";
import { renewBeforeDaysFor, type CertrelayConfig, type ManagedCertificate } from "../config/index.js";
import type { Clock } from "../model.js";
import { CheckpointInterrupt, errorSummary, renewalWindow, type Providers } from "../pipeline/index.js";
import type { Store } from "../store/index.js";
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
  daysLeft?: number;
  thresholdDays?: number;
  serial?: string;
  /** which target drifted, or why the store could not be read */
  detail?: string;
  error?: { code: string; message: string };
  durationMs: number;
}

export interface ScanDeps {
  store: Store;
  clock: Clock;
  /** when given, not-due certificates are checked on their targets (vendor reads only) */
  providers?: Providers;
  concurrency: number;
}

export async function scanFleet(config: CertrelayConfig, deps: ScanDeps): Promise<ScanEntry[]> {
  const limit = pLimit(deps.concurrency);
  return Promise.all(config.certificates.map((cert) => limit(() => scanCertificate(cert, renewBeforeDaysFor(config, cert), deps))));
}

export async function scanCertificate(cert: ManagedCertificate, renewBeforeDays: number, deps: ScanDeps): Promise<ScanEntry> {
  const started = performance.now();
  const entry = (fields: Omit<ScanEntry, "certificate" | "renewBeforeDays" | "durationMs">): ScanEntry => ({
    certificate: cert,
    renewBeforeDays,
    ...fields,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    const [current, pending] = await Promise.all([deps.store.getCurrent(cert.secret), deps.store.getPending(cert.secret)]);
    if (!current) return entry({ reason: pending ? "pending" : "missing", needsWork: true });
    const facts = certFacts(current.certificate, `${cert.secret} certificate`);
    const window = renewalWindow(facts, deps.clock(), renewBeforeDays);
    const known = { daysLeft: window.daysLeft, thresholdDays: window.thresholdDays, serial: facts.serial };
    if (pending) return entry({ reason: "pending", needsWork: true, ...known });
    if (window.due) return entry({ reason: "due", needsWork: true, ...known });
    const drifted = deps.providers ? await driftedTarget(cert, facts.serial, deps.providers) : undefined;
    if (drifted) return entry({ reason: "drift", needsWork: true, ...known, detail: drifted });
    return entry({ reason: "not-due", needsWork: false, ...known });
  } catch (error) {
    if (error instanceof CheckpointInterrupt) throw error;
    const summary = errorSummary(error);
    return entry({ reason: "unreadable", needsWork: false, error: summary, detail: summary.message });
  }
}

/** The first target that does not serve `serial` (or could not be asked); the pipeline redeploys or reports it. */
async function driftedTarget(cert: ManagedCertificate, serial: string, providers: Providers): Promise<string | undefined> {
  if (cert.targets.length === 0) return undefined;
  const targets = await providers.targetsFor(cert);
  for (const target of targets) {
    try {
      const verified = await target.verify(serial);
      if (!verified.ok) return `${target.label} serves ${verified.servedSerial ?? "another certificate"}`;
    } catch (error) {
      return `${target.label} could not be checked (${errorSummary(error).code})`;
    }
  }
  return undefined;
}
