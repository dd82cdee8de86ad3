/**
 * Runs the Action under GitHub's own emulator, `@github/local-action`, the way the README tells a user to:
 * `npx local-action run . action/main.ts .env` from the project root. Its `@actions/core` stand-in differs from
 * the real one (no `ExitCode`, outputs printed as a table, exit code always 0), so tests read the outputs it
 * prints and look for crashes.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./cli.js";

export interface LocalActionRun {
  code: number;
  stdout: string;
  stderr: string;
  /** `set-output` commands the stand-in echoed, by name */
  outputs: Record<string, string>;
}

/** dotenv text: values in double quotes keep their line breaks (PEM). */
export function dotenv(inputs: Record<string, string>): string {
  return Object.entries(inputs)
    .map(([name, value]) => `INPUT_${name.toUpperCase()}="${value.replace(/"/g, '\\"')}"`)
    .join("\n");
}

export async function runLocalAction(inputs: Record<string, string>): Promise<LocalActionRun> {
  const dir = mkdtempSync(join(tmpdir(), "certrelay-local-action-"));
  const envFile = join(dir, ".env");
  writeFileSync(envFile, `${dotenv(inputs)}\n`);
  try {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        "npx",
        ["--no-install", "local-action", "run", ".", "action/main.ts", envFile],
        {
          cwd: ROOT,
          env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
          timeout: 120_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, stdout, stderr) =>
          done({
            code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
            stdout: String(stdout),
            stderr: String(stderr),
          }),
      );
    });
    const outputs: Record<string, string> = {};
    for (const match of result.stdout.matchAll(/^::set-output name=([^:]+)::(.*)$/gm))
      outputs[match[1] as string] = match[2] as string;
    return { ...result, outputs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
