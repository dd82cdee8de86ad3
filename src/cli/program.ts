/**
 * The `certrelay` command line: commander wiring and the one place errors become exit codes.
 * Exit codes: 0 success, 1 a certificate problem or a failed run (`error CODE: message`), 2 a usage error
 * (unknown flag, bad flag value, a certrelay.yml that is missing or invalid). Commands live in ./commands, one file each.
 */
import { Command, CommanderError } from "commander";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { explainFailure } from "../operations/explain.js";
import { registerCheck } from "./commands/check.js";
import { registerCsr } from "./commands/csr.js";
import { registerInspect } from "./commands/inspect.js";
import { registerRun } from "./commands/run.js";
import { registerSandbox } from "./commands/sandbox.js";
import { processIo, type CliIo } from "./output.js";

export const VERSION = "0.1.0";

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("certrelay")
    .description(
      "Certificate rotation made boring: deploy, verify and renew certificates across PBXs, IoT fleets and CDNs.",
    )
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, "")),
      writeErr: (text) => io.err(text.replace(/\n$/, "")),
      // printed by runCli as one `error CODE: message` line instead
      outputError: () => {},
    })
    .addHelpText(
      "after",
      "\nExample:\n  $ certrelay sandbox            # vendor sandboxes on 127.0.0.1\n  $ certrelay check --config certrelay.yml\n  $ certrelay renew --config certrelay.yml --dry-run",
    );
  registerInspect(program, io, setExit);
  registerCheck(program, io, setExit);
  registerRun(program, io, setExit);
  registerCsr(program, io, setExit);
  registerSandbox(program, io, setExit);
  return program;
}

function usageHint(argv: string[], program: Command): string {
  const name = argv.find((a) => !a.startsWith("-"));
  const known = program.commands.some((c) => c.name() === name);
  return known ? `; see certrelay ${name} --help` : "; see certrelay --help";
}

/** Runs one command line and returns the exit code (never calls process.exit, so tests and the demo can call it). */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => (exitCode = code));
  const json = argv.includes("--json");
  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      )
        return 0;
      const message = (error.message.replace(/^error:\s*/, "").split("\n")[0] ?? "invalid command line").replace(
        /\.$/,
        "",
      );
      io.err(`error ${ErrorCodes.INPUT_INVALID}: ${message}${usageHint(argv, program)}`);
      if (json) io.out(JSON.stringify({ ok: false, error: { code: ErrorCodes.INPUT_INVALID, message } }));
      return 2;
    }
    if (error instanceof CertrelayError) {
      // the hint a CLI user can act on: --ca-file for an untrusted endpoint, the credentials secret's fields
      const message =
        error.code === ErrorCodes.AUTH_FAILED || error.code === ErrorCodes.NETWORK_ERROR
          ? explainFailure(error, { entry: "cli" }).message
          : error.message;
      io.err(`${io.colors.red("error")} ${error.code}: ${message}`);
      if (json) io.out(JSON.stringify({ ok: false, error: { ...error.toJSON(), message } }));
      // usage: a bad flag value, or a certrelay.yml that is missing or invalid (marked where --config is read)
      return error.usage ? 2 : 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`${io.colors.red("error")} INTERNAL: ${message}`);
    if (json) io.out(JSON.stringify({ ok: false, error: { code: "INTERNAL", message } }));
    return 1;
  }
}
