/** `certrelay` entry (bundled to dist/cli/index.js, run by bin/certrelay.js): everything else is in program.ts. */
import "reflect-metadata";
import { runCli } from "./program.js";

// The AWS SDK warns on every run under Node 20 that its 2027 releases need Node 22: noise on a one-line CLI.
// Every other warning still prints, on one line.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  const sdkNodeNotice =
    warning.name === "NodeVersionSupportWarning" || warning.message.startsWith("NodeVersionSupportWarning");
  if (!sdkNodeNotice) process.stderr.write(`warning ${warning.name}: ${warning.message}\n`);
});

// A reader that closed early (`certrelay --help | head -1`) makes the next stdout write fail with EPIPE, emitted as an
// 'error' event that nobody handled: a crash with a stack trace and exit 1. Like a Unix tool, the CLI stays quiet:
// once the pipe is closed, output is dropped (writes to the destroyed stream are no-ops) and the command ends on its
// own, so a run still releases its vendor sessions and leases and exits with its own code (0 for --help).
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
