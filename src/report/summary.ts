/**
 * The job summary: a table a reviewer scans in a second (where, which serial, until when, what happened) and a
 * Mermaid gantt of each certificate's validity with its renewal point, so "when does this need attention" is a
 * picture rather than arithmetic. Pure: returns markdown, the caller writes it.
 */
import type { CertificateRow } from "../operations/types.js";

export interface DeploymentContext {
  repository?: string;
  sha?: string;
  ref?: string;
  workflow?: string;
  job?: string;
  runId?: string;
  runUrl?: string;
  environment?: string;
  actor?: string;
}

export interface SummaryInput {
  title: string;
  /** one line: what happened */
  message: string;
  ok: boolean;
  rows: CertificateRow[];
  warnings?: string[];
  context?: DeploymentContext;
  now: Date;
}

/** Table cells: pipes and newlines would break the row; backticks keep serials readable. */
function cell(text: string | undefined): string {
  if (text === undefined || text === "") return "-";
  return text.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
}

function day(date: Date | undefined): string | undefined {
  return date ? date.toISOString().slice(0, 10) : undefined;
}

/** Mermaid task names end at `:` and comments start at `%%`; keep names to a safe alphabet. */
function mermaidText(text: string): string {
  return (
    text
      .replace(/[:;#%]/g, " ")
      .replace(/\s+/g, " ")
      .trim() || "certificate"
  );
}

function table(rows: CertificateRow[]): string {
  const lines = [
    "| Target | Certificate | Serial | Not after | Days left | Renew at | Result |",
    "| --- | --- | --- | --- | ---: | --- | --- |",
  ];
  for (const row of rows) {
    lines.push(
      `| ${cell(row.target)} | ${cell(row.name ?? row.certificateId)} | ${row.serial ? `\`${row.serial}\`` : "-"} | ${cell(row.notAfter?.toISOString())} | ${row.daysLeft ?? "-"} | ${cell(day(row.renewAt))} | ${cell(row.detail ? `${row.result}: ${row.detail}` : row.result)} |`,
    );
  }
  return lines.join("\n");
}

/** One section per certificate: its validity window, then a milestone at the renewal point. */
export function gantt(rows: CertificateRow[], now: Date): string | undefined {
  const charted = rows.filter((row): row is CertificateRow & { notAfter: Date } => row.notAfter !== undefined);
  if (charted.length === 0) return undefined;
  const lines = [
    "```mermaid",
    "gantt",
    "  title Certificate validity and renewal points",
    "  dateFormat YYYY-MM-DD",
    "  axisFormat %Y-%m-%d",
    `  todayMarker on`,
  ];
  const seen = new Set<string>();
  charted.forEach((row, index) => {
    const key = `${row.target}|${row.serial ?? row.certificateId ?? index}`;
    if (seen.has(key)) return;
    seen.add(key);
    const start = day(row.notBefore) ?? day(now) ?? "";
    const end = day(row.notAfter) ?? "";
    const expired = row.notAfter.getTime() <= now.getTime();
    lines.push(`  section ${mermaidText(`${row.name ?? row.certificateId ?? "certificate"} @ ${row.target}`)}`);
    lines.push(
      `  ${mermaidText(row.serial ? `valid ${row.serial.slice(0, 16)}` : "valid")} :${expired ? "crit, " : "active, "}v${index}, ${start}, ${end}`,
    );
    if (row.renewAt) lines.push(`  renew :milestone, r${index}, ${day(row.renewAt)}, 0d`);
  });
  lines.push("```");
  return lines.join("\n");
}

function contextLines(context: DeploymentContext | undefined): string[] {
  if (!context) return [];
  const items: [string, string | undefined][] = [
    ["Repository", context.repository],
    ["Commit", context.sha ? `\`${context.sha.slice(0, 12)}\`` : undefined],
    ["Ref", context.ref],
    ["Environment", context.environment],
    ["Workflow", context.workflow],
    ["Job", context.job],
    ["Run", context.runUrl ? `[${context.runId ?? "run"}](${context.runUrl})` : context.runId],
    ["Actor", context.actor],
  ];
  const present = items.filter((item): item is [string, string] => item[1] !== undefined && item[1] !== "");
  return present.length === 0 ? [] : ["", present.map(([k, v]) => `**${k}:** ${v}`).join(" · ")];
}

export function renderSummary(input: SummaryInput): string {
  const parts = [
    `## ${input.ok ? "✅" : "❌"} ${input.title}`,
    "",
    cell(input.message),
    ...contextLines(input.context),
  ];
  for (const warning of input.warnings ?? []) parts.push("", `> [!WARNING]\n> ${cell(warning)}`);
  if (input.rows.length > 0) parts.push("", table(input.rows));
  const chart = gantt(input.rows, input.now);
  if (chart) parts.push("", chart);
  return `${parts.join("\n")}\n`;
}
