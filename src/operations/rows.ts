import { describeWindow, newReport } from "../pipeline/report.js";
import type { CertificateReport } from "../pipeline/types.js";
import type { CertificateRow, OperationStatus } from "./types.js";

/** The validity facts a row needs, from a parsed certificate or from what a target lists. */
export interface Validity {
  serial?: string;
  fingerprint?: string;
  certificateId?: string;
  name?: string;
  notBefore?: Date;
  notAfter: Date;
}

/** A target that lists only the expiry gets a one-year lifetime assumption for drawing; days left stay exact. */
export function assumedNotBefore(notAfter: Date, now: Date): Date {
  return new Date(Math.min(now.getTime(), notAfter.getTime() - 365 * 86_400_000));
}

/**
 * A summary row with days left and the renewal point (min(renewBeforeDays, lifetime/3) before expiry), for a vendor's
 * own operation: the view of its one-place report (`reportAt`), so no row is drawn any other way.
 */
export function rowFor(
  target: string,
  validity: Validity,
  result: OperationStatus | string,
  now: Date,
  renewBeforeDays: number,
  detail?: string,
): CertificateRow {
  // the row shows no provider: the report's is left empty
  return operationRowsFromReport(
    reportAt(target, "", validity, now, renewBeforeDays),
    result,
    detail,
  )[0] as CertificateRow;
}

/** The Action's summary rows of one pipeline report: one per target (or one for the certificate when it has none). */
export function rowsFromReport(report: CertificateReport): CertificateRow[] {
  const validity = {
    ...(report.serial ? { serial: report.serial } : {}),
    ...(report.notBefore ? { notBefore: new Date(report.notBefore) } : {}),
    ...(report.notAfter ? { notAfter: new Date(report.notAfter) } : {}),
    ...(report.renewAt ? { renewAt: new Date(report.renewAt) } : {}),
    ...(report.daysLeft === undefined ? {} : { daysLeft: report.daysLeft }),
  };
  if (report.targets.length === 0) {
    return [
      {
        target: report.name,
        name: report.name,
        ...validity,
        result: report.action,
        ...(report.error ? { detail: report.error.message } : {}),
      },
    ];
  }
  return report.targets.map((t) => ({
    target: t.target,
    name: report.name,
    ...validity,
    ...(t.serial ? { serial: t.serial } : {}),
    result: `${report.action} (${t.status})`,
    ...(t.error ? { detail: t.error.message } : report.error ? { detail: report.error.message } : {}),
  }));
}

/** The report of one certificate at one place (a target, or the issuer that issued it): a single-endpoint operation's. */
export function reportAt(
  target: string,
  provider: string,
  copy: Validity,
  now: Date,
  renewBeforeDays: number,
): CertificateReport {
  const report = newReport(copy.name ?? "");
  describeWindow(
    report,
    {
      serial: copy.serial ?? "",
      notBefore: copy.notBefore ?? assumedNotBefore(copy.notAfter, now),
      notAfter: copy.notAfter,
    },
    now,
    renewBeforeDays,
  );
  if (copy.fingerprint) report.fingerprint = copy.fingerprint;
  report.targets = [
    { target, provider, status: "holds-current", ...(copy.certificateId ? { certificateId: copy.certificateId } : {}) },
  ];
  return report;
}

/**
 * The rows of a single-endpoint operation (deploy) from its report: one per target, `result` the operation's
 * status and `detail` its proof. Same fields and order as `rowFor`, so the outputs and the summary are unchanged.
 */
export function operationRowsFromReport(
  report: CertificateReport,
  result: OperationStatus | string,
  detail?: string,
): CertificateRow[] {
  return report.targets.map((t) => ({
    target: t.target,
    ...(report.name ? { name: report.name } : {}),
    ...(t.certificateId ? { certificateId: t.certificateId } : {}),
    ...(report.serial ? { serial: report.serial } : {}),
    ...(report.fingerprint ? { fingerprint: report.fingerprint } : {}),
    ...(report.notBefore ? { notBefore: new Date(report.notBefore) } : {}),
    ...(report.notAfter ? { notAfter: new Date(report.notAfter) } : {}),
    ...(report.daysLeft === undefined ? {} : { daysLeft: report.daysLeft }),
    ...(report.renewAt ? { renewAt: new Date(report.renewAt) } : {}),
    result,
    ...(detail ? { detail } : {}),
  }));
}
