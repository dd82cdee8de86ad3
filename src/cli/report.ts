/**
 * Pipeline results as a person reads them: one progress line per certificate as it finishes, a summary table,
 * and a one-line count. Shared by `certrelay deploy|renew` and the `npm start` demo.
 */
import type { CertificateAction, CertificateReport, RunSummary } from "../pipeline/index.js";
import { renderTable, shortSerial, type Colors } from "./output.js";

/** Padded before painting: escape codes would throw the column width off. */
function paintAction(action: CertificateAction, c: Colors, width = 0): string {
  const text = (action === "none" ? "ok" : action).padEnd(width);
  switch (action) {
    case "renewed":
    case "deployed":
      return c.green(text);
    case "failed":
      return c.red(text);
    case "pending":
    case "skipped":
    case "would-renew":
    case "would-deploy":
      return c.yellow(text);
    case "none":
      return c.dim(text);
  }
}

function targetSummary(report: CertificateReport): string {
  if (report.targets.length === 0) return "no targets";
  const byStatus = new Map<string, number>();
  for (const t of report.targets) byStatus.set(t.status, (byStatus.get(t.status) ?? 0) + 1);
  return [...byStatus].map(([status, n]) => `${n} ${status}`).join(", ");
}

/** `[2/4] www  renewed  0A1B…9F -> 5C2D…11  2 deployed  640 ms` */
export function progressLine(report: CertificateReport, done: number, total: number, c: Colors, nameWidth = 0): string {
  const serial =
    report.previousSerial && report.serial && report.previousSerial !== report.serial
      ? `${shortSerial(report.previousSerial)} -> ${shortSerial(report.serial)}`
      : shortSerial(report.serial);
  const targetError = report.targets.find((t) => t.error)?.error;
  const problem = report.error
    ? `  ${c.red(`${report.error.code}: ${report.error.message}`)}`
    : targetError
      ? `  ${c.red(`${targetError.code}: ${targetError.message}`)}`
      : report.detail
        ? `  ${c.dim(report.detail)}`
        : "";
  return `${c.dim(`[${done}/${total}]`)} ${c.bold(report.name.padEnd(nameWidth))}  ${paintAction(report.action, c, 12)}  ${serial}  ${targetSummary(report)}  ${c.dim(`${report.durationMs} ms`)}${problem}`;
}

/** The reason a person needs: the certificate's error, else each failed target's, else the detail. */
function reasonOf(r: CertificateReport): string {
  if (r.error) return `${r.error.code}: ${r.error.message}`;
  const failed = r.targets.filter((t) => t.error).map((t) => `${t.target}: ${t.error?.code}: ${t.error?.message}`);
  return failed.length > 0 ? [...failed, ...(r.detail ? [r.detail] : [])].join("\n") : (r.detail ?? "");
}

export function summaryTable(reports: CertificateReport[]): string {
  const rows = reports.map((r) => [
    r.name,
    r.action,
    r.daysLeft ?? "-",
    r.due ? "yes" : "no",
    shortSerial(r.serial, 20),
    r.targets.map((t) => `${t.provider}: ${t.status}`).join("\n") || "-",
    reasonOf(r),
  ]);
  return renderTable(["certificate", "result", "days left", "was due", "serial", "targets", "detail"], rows, {
    align: ["left", "left", "right", "left", "left", "left", "left"],
  });
}

/** `4 certificates: 3 renewed, 1 none` (failures first so they are never missed) */
export function summaryLine(summary: RunSummary, c: Colors): string {
  const order: CertificateAction[] = [
    "failed",
    "renewed",
    "deployed",
    "pending",
    "would-renew",
    "would-deploy",
    "skipped",
    "none",
  ];
  const parts = order
    .filter((a) => summary.counts[a] > 0)
    .map((a) => `${summary.counts[a]} ${a === "none" ? "unchanged" : a}`);
  const text = `${summary.reports.length} certificate${summary.reports.length === 1 ? "" : "s"}: ${parts.join(", ") || "nothing to do"}`;
  return summary.ok ? c.green(text) : c.red(text);
}
