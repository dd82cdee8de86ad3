/**
 * `npm run bench`: one table of certrelay's figures, each beside its reference and target, also written to
 * bench/RESULTS.md with the machine it ran on. Loopback only; every server and child process is stopped.
 */
import "reflect-metadata";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import Table from "cli-table3";
import { bundleSizes, measureColdStart } from "./cold-start.js";
import { measureFleet } from "./fleet.js";
import { measureRenewal } from "./renewal.js";
import { measureCdnScan, measureResellerScan } from "./fleet-scan.js";
import type { Row } from "./lib.js";
import { measureScanMemory } from "./memory.js";
import { measurePemParse } from "./pem-parse.js";
import { measureTlsVerify } from "./tls-verify.js";

const RESULTS = new URL("./RESULTS.md", import.meta.url);
const NOTES_MARKER = "<!-- notes: kept across runs -->";
const BUNDLES = ["dist/action/index.js", "dist/lambda/scheduler.mjs", "dist/lambda/worker.mjs", "dist/cli/index.js"];

/** Builds only when dist/ is absent: the build script empties dist/ first, so a failing build must not wipe a partial one. */
function ensureBuilt(): string | undefined {
  if (existsSync("dist")) {
    const missing = BUNDLES.filter((f) => !existsSync(f));
    return missing.length > 0 ? `not built: ${missing.join(", ")} (run npm run build)` : undefined;
  }
  process.stderr.write("dist/ is missing: running npm run build\n");
  const r = spawnSync("npm", ["run", "build"], { stdio: ["ignore", "inherit", "inherit"], timeout: 300_000 });
  return r.status === 0 ? undefined : `npm run build failed (exit ${r.status}); bundle rows show what exists`;
}

const loadAtStart = loadavg();

function machine(): string[] {
  const free = (() => {
    try {
      return execFileSync("free", ["-h"], { encoding: "utf8" }).trimEnd();
    } catch {
      return `${(totalmem() / 2 ** 30).toFixed(1)} GiB total`;
    }
  })();
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown";
  const nproc = execFileSync("nproc", { encoding: "utf8" }).trim();
  // other work on the machine moves these figures; the load average says how much there was
  const load = (l: number[]) => l.map((n) => n.toFixed(2)).join(" ");
  return [
    `- date: ${new Date().toISOString()}`,
    `- node: ${process.version}`,
    `- nproc: ${nproc}`,
    `- CPU: ${cpu}`,
    `- load average (1/5/15 min) at start: ${load(loadAtStart)}, at end: ${load(loadavg())}`,
    "- memory (`free -h`):",
    "",
    "```",
    free,
    "```",
  ];
}

async function step(name: string, rows: Row[], run: () => Row[] | Promise<Row[]>): Promise<void> {
  process.stderr.write(`bench: ${name}...\n`);
  try {
    rows.push(...(await run()));
  } catch (error) {
    rows.push({
      group: name,
      measure: "failed",
      value: error instanceof Error ? error.message : String(error),
      reference: "-",
      target: "-",
      met: "no",
    });
  }
}

/** `npm run bench -- <step> ...` runs only those steps and replaces only their rows in RESULTS.md. */
const steps: Record<string, () => Row[] | Promise<Row[]>> = {
  "cold start": () => measureColdStart(15),
  "bundle size": () => bundleSizes(),
  "PEM parse": () => measurePemParse(2_000),
  "fleet scan (CDN)": () => measureCdnScan([1_000, 10_000]),
  "fleet scan (reseller)": () => measureResellerScan([1_000, 10_000]),
  memory: () => measureScanMemory(10_000, 100_000),
  "TLS verify": () => measureTlsVerify(3_000, 40),
  renewal: () => measureRenewal(48, 8),
  // the daily Lambda run at 1,000 and 10,000 certificates against its floor (minutes; run on its own: `-- fleet`)
  fleet: () => measureFleet((process.env.CERTRELAY_BENCH_FLEET_SIZES ?? "1000,10000").split(",").map(Number)),
};
const selected = process.argv.slice(2).filter((a) => a !== "--");
const unknown = selected.filter((name) => !(name in steps));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench step(s): ${unknown.join(", ")}; steps: ${Object.keys(steps).join(", ")}\n`);
  process.exit(2);
}
const rows: Row[] = [];
const buildProblem = ensureBuilt();
for (const [name, run] of Object.entries(steps)) {
  if (selected.length > 0 ? selected.includes(name) : name !== "fleet") await step(name, rows, run);
}

const table = new Table({
  head: ["group", "measure", "value", "reference", "target", "met"],
  wordWrap: true,
  colWidths: [14, 44, 22, 40, 15, 10],
});
for (const r of rows) table.push([r.group, r.measure, r.value, r.reference, r.target, r.met]);
process.stdout.write(`${table.toString()}\n`);
if (buildProblem) process.stdout.write(`note: ${buildProblem}\n`);

const previous = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8") : "";
const notesAt = previous.indexOf(NOTES_MARKER);
const notes = notesAt >= 0 ? previous.slice(notesAt) : `${NOTES_MARKER}\n`;
const escape = (s: string) => s.replaceAll("|", "\\|");
const rowLine = (r: Row) =>
  `| ${[r.group, r.measure, r.value, r.reference, r.target, r.met].map(escape).join(" | ")} |`;
// A partial run keeps the other steps' rows of the last full run, in place, and replaces (or appends) its own.
const kept = (() => {
  if (selected.length === 0) return rows.map(rowLine);
  const fresh = new Set(rows.map((r) => r.group));
  const old = (previous.slice(0, notesAt >= 0 ? notesAt : undefined).match(/^\| (?!group \||---).*\|$/gm) ?? []).filter(
    (line) => !fresh.has(line.slice(2, line.indexOf(" | "))),
  );
  return [...old, ...rows.map(rowLine)];
})();
const markdown = [
  "# certrelay benchmark results",
  "",
  "Written by `npm run bench` (bench/run.ts). Loopback only: vendor sandboxes run in a child process of their own,",
  "so the client under test and the server each have a core.",
  "",
  ...(selected.length > 0
    ? [`This run: ${selected.join(", ")} only; the other rows are kept from an earlier run.`, ""]
    : []),
  "## Machine",
  "",
  ...machine(),
  "",
  "## Figures",
  "",
  "| group | measure | value | reference | target | met |",
  "| --- | --- | --- | --- | --- | --- |",
  ...kept,
  ...(buildProblem ? ["", `note: ${buildProblem}`] : []),
  "",
  notes,
].join("\n");
writeFileSync(RESULTS, markdown);
