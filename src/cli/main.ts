/** `certrelay` entry (bundled to dist/cli/index.js, run by bin/certrelay.js): everything else is in program.ts. */
import "reflect-metadata";
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv.slice(2));
