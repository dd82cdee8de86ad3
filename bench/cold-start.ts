/**
 * Cold start of each built bundle against bare `node -e 0`, interleaved so machine noise hits every
 * candidate alike. The Action runs when imported: it is started with no INPUT_* variables and fails fast on the
 * missing inputs, which is the import cost plus input parsing; its exit code is ignored.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fmtBytes, fmtMs, median, type Row } from "./lib.js";

interface Candidate {
  name: string;
  file?: string;
  args: string[];
}

const candidates: Candidate[] = [
  { name: "bare node -e 0", args: ["-e", "0"] },
  { name: "Action dist/action/index.js", file: "dist/action/index.js", args: ["dist/action/index.js"] },
  { name: "Lambda scheduler.mjs (import)", file: "dist/lambda/scheduler.mjs", args: ["--input-type=module", "-e", "await import('./dist/lambda/scheduler.mjs')"] },
  { name: "Lambda worker.mjs (import)", file: "dist/lambda/worker.mjs", args: ["--input-type=module", "-e", "await import('./dist/lambda/worker.mjs')"] },
  { name: "CLI dist/cli/index.js --help", file: "dist/cli/index.js", args: ["dist/cli/index.js", "--help"] },
];

/** Environment without Action inputs or GitHub files, so the Action bundle touches nothing. */
function quietEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("INPUT_") || k.startsWith("GITHUB_") || k.startsWith("RUNNER_") || k.startsWith("CERTRELAY_")) continue;
    env[k] = v;
  }
  return env;
}

function once(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  spawnSync(process.execPath, args, { env, stdio: "ignore", timeout: 30_000 });
  return performance.now() - started;
}

export function measureColdStart(runs: number): Row[] {
  const env = quietEnv();
  const present = candidates.filter((c) => !c.file || existsSync(c.file));
  const samples = new Map<string, number[]>(present.map((c) => [c.name, []]));
  // one warm-up round fills the page cache for every file
  for (const c of present) once(c.args, env);
  for (let i = 0; i < runs; i += 1) {
    for (const c of present) samples.get(c.name)?.push(once(c.args, env));
  }
  const bare = median(samples.get("bare node -e 0") ?? [0]);
  const rows: Row[] = [{ group: "cold start", measure: `bare node -e 0 (median of ${runs})`, value: fmtMs(bare), reference: "-", target: "-", met: "" }];
  for (const c of candidates.slice(1)) {
    if (!present.includes(c)) {
      rows.push({ group: "cold start", measure: c.name, value: "not built", reference: fmtMs(bare), target: "< 2x bare", met: "no" });
      continue;
    }
    const m = median(samples.get(c.name) ?? [0]);
    rows.push({
      group: "cold start",
      measure: `${c.name} (median of ${runs})`,
      value: `${fmtMs(m)} (${(m / bare).toFixed(2)}x)`,
      reference: `bare ${fmtMs(bare)}`,
      target: "< 2x bare",
      met: m < 2 * bare ? "yes" : "no",
    });
  }
  return rows;
}

export function bundleSizes(): Row[] {
  const files = ["dist/action/index.js", "dist/lambda/scheduler.mjs", "dist/lambda/worker.mjs", "dist/cli/index.js"];
  return files.map((file) => ({
    group: "bundle size",
    measure: file,
    value: existsSync(file) ? fmtBytes(statSync(file).size) : "not built",
    reference: "-",
    target: "-",
    met: "",
  }));
}
