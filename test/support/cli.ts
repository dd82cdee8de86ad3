/**
 * Runs the BUILT command line (`node bin/certrelay.js`, which loads dist/cli/index.js) as a user would, without
 * blocking this process: a sandbox started by the test keeps answering while the CLI talks to it.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
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

/**
 * Runs the built CLI with stdout on a pipe whose reader is already gone, as in `certrelay … | head -1` once head has
 * exited: every write to stdout fails with EPIPE, every time (a real `head` would race the CLI's first write). The
 * pipe is a FIFO opened by a reader that closes before the CLI starts.
 */
export function certrelayIntoClosedPipe(
  args: string[],
  options: { cwd?: string } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  requireBuiltCli();
  const dir = mkdtempSync(join(tmpdir(), "certrelay-fifo-"));
  const fifo = join(dir, "stdout");
  execFileSync("mkfifo", [fifo]);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_WRONLY);
  closeSync(reader);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", writer, "pipe"],
      timeout: 60_000,
    });
    closeSync(writer);
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code, signal) => {
      rmSync(dir, { recursive: true, force: true });
      done({ code, signal, stderr });
    });
  });
}

/** Lines of stderr that carry text (commander and the CLI end them with a newline). */
export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}
