/**
 * Runs the committed Action bundle the way a GitHub runner does: `node dist/action/index.js` with `INPUT_*`
 * variables (hyphens kept, upper-cased), and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY pointing at files that exist.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";

export const ACTION_BUNDLE = resolve("dist/action/index.js");

export function assertBundleExists(): void {
  // The coordinator rebuilds dist/ before each commit; tests run what ships.
  expect(existsSync(ACTION_BUNDLE), "dist/action/index.js is missing: run `npm run build`").toBe(true);
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  /** the GITHUB_OUTPUT file as written */
  outputFile: string;
  summary: string;
}

/** GitHub's file command format: `name<<delimiter\nvalue\ndelimiter\n`. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? "");
    if (!match) continue;
    const [, name, delimiter] = match as unknown as [string, string, string];
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? "");
    outputs[name] = value.join("\n");
  }
  return outputs;
}

export const RUN_ID = "4242";

export async function runAction(
  inputs: Record<string, string | undefined>,
  extraEnv: Record<string, string> = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), "certrelay-action-"));
  const outputPath = join(dir, "output");
  const summaryPath = join(dir, "summary");
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_ACTIONS: "true",
    GITHUB_REPOSITORY: "example/infra",
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    GITHUB_REF: "refs/heads/main",
    GITHUB_WORKFLOW: "rotate certificates",
    GITHUB_JOB: "deploy",
    GITHUB_RUN_ID: RUN_ID,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_ENVIRONMENT: "production",
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) {
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  }
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [ACTION_BUNDLE],
        { env, cwd: dir, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          done({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
    const outputFile = readFileSync(outputPath, "utf8");
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputs(outputFile),
      outputFile,
      summary: readFileSync(summaryPath, "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `::error ...` annotation lines on stdout. */
export function errorLines(run: ActionRun): string[] {
  return run.stdout.split("\n").filter((line) => line.startsWith("::error"));
}

/**
 * Distinctive pieces of a secret to search for: each base64 body line of a PEM (a key printed reformatted still
 * leaks its lines), else the whole value.
 */
export function secretFragments(secret: string): string[] {
  const lines = secret
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith("-----"));
  return lines.length > 0 ? lines : [secret];
}

/**
 * No secret in anything a user or log reader sees. `::add-mask::` lines are excluded: they are how a step hands
 * secrets to the runner, which consumes them and never prints them.
 */
export function expectNoSecrets(run: ActionRun, secrets: string[]): void {
  const stdout = run.stdout
    .split("\n")
    .filter((line) => !line.startsWith("::add-mask::"))
    .join("\n");
  const places: [string, string][] = [
    ["stdout", stdout],
    ["stderr", run.stderr],
    ["outputs", run.outputFile],
    ["summary", run.summary],
  ];
  for (const secret of secrets) {
    for (const fragment of secretFragments(secret)) {
      for (const [where, text] of places) {
        expect(text.includes(fragment), `a secret fragment appeared in ${where}`).toBe(false);
      }
    }
  }
}
