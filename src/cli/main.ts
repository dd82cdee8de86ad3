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

process.exitCode = await runCli(process.argv.slice(2));
