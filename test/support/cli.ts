/**
 * Runs the BUILT command line (`node bin/certrelay.js`, which loads dist/cli/index.js) as a user would, without
 * blocking this process: a sandbox started by the test keeps answering while the CLI talks to it.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/certrelay.js");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function requireBuiltCli(): void {
  if (!existsSync(join(ROOT, "dist/cli/index.js")))
    throw new Error("dist/cli/index.js is missing: run `npm run build` first");
}

export function certrelay(
  args: string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  requireBuiltCli();
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: options.cwd ?? ROOT,
        env: { ...process.env, NO_COLOR: "1", ...options.env },
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Lines of stderr that carry text (commander and the CLI end them with a newline). */
export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}
