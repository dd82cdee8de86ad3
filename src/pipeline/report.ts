/**
 * The one report of a certificate and its targets (`CertificateReport`, `TargetReport` in types.ts) and the pieces
 * every step fills it with. The views are derived from it: the CLI's run table (cli/report.ts), the Action's rows
 * (operations/rows.ts: `rowsFromReport` for a config run, `operationRowsFromReport` for deploy), the CLI check's table and
 * `--json` (operations/check-rows.ts `checkRowsFromReport`), the log lines and metrics (signals/log.ts `outcomeFromReport`), and the fleet scan's
 * entries (fleet/scan.ts carries one per certificate).
 */
import type { Deadline } from "../deadline.js";
import { ErrorCodes } from "../errors.js";
import type { CertFacts } from "../x509/index.js";
import { renewalWindow } from "./due.js";
import type { CertificateReport, TargetReport } from "./types.js";

/** A certificate's report before any step ran. */
export function newReport(name: string): CertificateReport {
  return { name, action: "none", due: false, targets: [], durationMs: 0 };
}

/** The validity and renewal window of `facts` (the current certificate) written into the report. */
export function describeWindow(
  report: CertificateReport,
  facts: Pick<CertFacts, "serial" | "notBefore" | "notAfter">,
  now: Date,
  renewBeforeDays: number,
): void {
  const window = renewalWindow(facts, now, renewBeforeDays);
  report.serial = facts.serial;
  report.notBefore = facts.notBefore.toISOString();
  report.notAfter = facts.notAfter.toISOString();
  report.daysLeft = window.daysLeft;
  report.thresholdDays = window.thresholdDays;
  report.renewAt = window.renewAt.toISOString();
  report.due = window.due;
}

/** "target: cause", without the target twice when the cause already starts with it. */
export function toldCause(told: TargetReport): string {
  const cause = told.error?.message ?? "";
  return cause.startsWith(told.target) ? cause : `${told.target}: ${cause}`;
}

/**
 * The certificate's error when some of its targets failed: the first failure's code and class, and `message` with
 * the one failure worth repeating: a target cut short by the run's deadline (which budget ran out, after how long),
 * else a refused login (which secret to fix), else the first failure's own cause (an untrusted chain and its fix),
 * so the one line a person reads (the table's detail) says why, not only where.
 */
export function targetsFailure(
  failed: TargetReport[],
  deadline: Deadline | undefined,
  message: (told: TargetReport | undefined) => string,
): NonNullable<CertificateReport["error"]> {
  const told =
    failed.find((f) => f.error?.code === ErrorCodes.TIMEOUT && deadline?.expired()) ??
    failed.find((f) => f.error?.code === ErrorCodes.AUTH_FAILED) ??
    failed[0];
  return {
    code: failed[0]?.error?.code ?? ErrorCodes.VENDOR_ERROR,
    ...(failed[0]?.error?.name ? { name: failed[0].error.name } : {}),
    message: message(told),
  };
}
