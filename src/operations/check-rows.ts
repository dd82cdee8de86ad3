/**
 * `certrelay check`'s view of the pipeline's report (its table and `--json`), beside the Action's views in rows.ts.
 * Its own file: rows.ts is imported by vendor operations, and this one needs the pipeline's summary text.
 */
import { DAY_MS } from "../model.js";
import { describePending } from "../pipeline/summary.js";
import type { CertificateReport, PendingSummary } from "../pipeline/types.js";

/** `drift`: the target holds the stored certificate but does not serve it (e.g. a PBX switched back to another) */
export type CheckStatus = "ok" | "due" | "expired" | "missing" | "drift" | "error" | "pending" | "stuck";

/** A renewal this often attempted without finishing, or this old while its certificate is due, is stuck. */
export const STUCK_ATTEMPTS = 5;
export const STUCK_AGE_DAYS = 3;

export interface PendingCheck {
  reference: string;
  createdAt: string;
  /** whole days since the renewal started */
  ageDays: number;
  attempts: number;
  orderId?: string;
  issued: boolean;
  lastError?: { code: string; message: string; at: string };
  /** references given up on because their order could not be collected with the renewal's key */
  abandoned: string[];
}

/** One row of `certrelay check` (its table and `--json`): a certificate's store copy, its renewal, or a target's copy. */
export interface CheckRow {
  certificate: string;
  /** `store` for the managed copy, else the target's label */
  where: string;
  serial?: string;
  notAfter?: string;
  daysLeft?: number;
  thresholdDays?: number;
  status: CheckStatus;
  /** the target holds an older certificate than the store */
  stale?: boolean;
  /** what a person should know about this row when it is not an error */
  detail?: string;
  /** the `pending` row: the renewal in progress */
  pending?: PendingCheck;
  error?: { code: string; message: string; field?: string };
}

/**
 * The renewal in progress, as a row: `pending` while it may still finish on its own (or waits because the
 * certificate is not due), `stuck` when it keeps failing or has been running for days on a due certificate.
 */
function pendingRow(name: string, pending: PendingSummary, due: boolean, now: Date): CheckRow {
  const created = Date.parse(pending.createdAt);
  const ageDays = Number.isNaN(created) ? 0 : Math.floor((now.getTime() - created) / DAY_MS);
  const stuck =
    (pending.attempts >= STUCK_ATTEMPTS && pending.lastError !== undefined) || (due && ageDays >= STUCK_AGE_DAYS);
  const info: PendingCheck = {
    reference: pending.reference,
    createdAt: pending.createdAt,
    ageDays,
    attempts: pending.attempts,
    ...(pending.orderId ? { orderId: pending.orderId } : {}),
    issued: pending.issued,
    ...(pending.lastError ? { lastError: pending.lastError } : {}),
    abandoned: pending.abandonedReferences ?? [],
  };
  const described = describePending(pending, now);
  const advice = stuck
    ? `stuck: ${described}${pending.lastError ? `, last error ${pending.lastError.code}: ${pending.lastError.message}` : ""}; fix the cause and run certrelay renew --only ${name}, or drop it with certrelay renew --discard-pending ${name}`
    : due
      ? `${described}; the next certrelay renew continues it`
      : `${described}; not due, so it waits: certrelay renew --force --only ${name} completes it, certrelay renew --discard-pending ${name} drops it`;
  return {
    certificate: name,
    where: "pending",
    status: stuck ? "stuck" : "pending",
    pending: info,
    ...(stuck ? { error: { code: "RENEWAL_STUCK", message: advice } } : {}),
    ...(stuck ? {} : { detail: advice }),
  };
}

function expiryStatus(daysLeft: number, thresholdDays: number, notAfter: string, now: Date): CheckStatus {
  if (Date.parse(notAfter) <= now.getTime()) return "expired";
  return daysLeft <= thresholdDays ? "due" : "ok";
}

/**
 * The `certrelay check` rows of one report: the store's copy (or why there is none), the renewal in progress, then
 * each target's copy. `now` is the check's clock, for what has expired and how old the renewal is.
 */
export function checkRowsFromReport(report: CertificateReport, now: Date): CheckRow[] {
  const certificate = report.name;
  const error = report.error ?? { code: "INTERNAL", message: "unknown error" };
  const pending = (due: boolean) => (report.pending ? [pendingRow(certificate, report.pending, due, now)] : []);
  if (report.errorAt === "pending") return [{ certificate, where: "pending", status: "error", error }];
  if (report.errorAt === "missing")
    return [{ certificate, where: "store", status: "missing", error }, ...pending(true)];
  if (report.errorAt === "store" || report.notAfter === undefined)
    return [{ certificate, where: "store", status: "error", error }, ...pending(true)];
  const rows: CheckRow[] = [
    {
      certificate,
      where: "store",
      ...(report.serial === undefined ? {} : { serial: report.serial }),
      notAfter: report.notAfter,
      ...(report.daysLeft === undefined ? {} : { daysLeft: report.daysLeft }),
      ...(report.thresholdDays === undefined ? {} : { thresholdDays: report.thresholdDays }),
      status: report.due ? (Date.parse(report.notAfter) <= now.getTime() ? "expired" : "due") : "ok",
    },
    ...pending(report.due),
  ];
  if (report.errorAt === "targets") return [...rows, { certificate, where: "targets", status: "error", error }];
  const thresholdDays = report.thresholdDays ?? 0;
  for (const t of report.targets) {
    const where = t.target;
    if (t.status === "failed") rows.push({ certificate, where, status: "error", error: t.error ?? error });
    else if (t.status === "missing") rows.push({ certificate, where, status: "missing", thresholdDays });
    else if (t.status === "drift")
      rows.push({
        certificate,
        where,
        ...(t.serial ? { serial: t.serial } : {}),
        thresholdDays,
        status: "drift",
        ...(t.error ? { error: t.error } : {}),
      });
    else {
      const daysLeft = t.daysLeft ?? 0;
      const notAfter = t.notAfter ?? report.notAfter;
      rows.push({
        certificate,
        where,
        ...(t.serial === undefined ? {} : { serial: t.serial }),
        notAfter,
        daysLeft,
        thresholdDays,
        status: expiryStatus(daysLeft, thresholdDays, notAfter, now),
        ...(t.stale ? { stale: true } : {}),
        ...(t.detail ? { detail: t.detail } : {}),
      });
    }
  }
  return rows;
}
