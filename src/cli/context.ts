/**
 * Turns the flags every config-driven command shares into typed things: the config, the store, the provider
 * context. Validated once here; commands trust the types after that.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Command } from "commander";
import { ConfigError, loadConfig, type CertrelayConfig } from "../config/index.js";
import { Deadline } from "../deadline.js";
import {
  CertrelayError,
  ErrorCodes,
  isCertrelayError,
  isInputError,
  type CertrelayErrorOptions,
  type ErrorCode,
} from "../errors.js";
import { caCertificatesProblem, type CaCertificatesProblem } from "../x509/facts.js";
import { realSleep, systemClock, type Clock, type Logger } from "../model.js";
import type { ProviderContext } from "../providers/context.js";
import { FileStore, SecretsManagerStore, type Store } from "../store/index.js";
import { textLogger, type CliIo, type LogLevel } from "./output.js";

/** A bad flag value: exits 2 like commander's own usage errors. */
/** A usage error: a flag or argument to change (the CLI exits 2 for it). One error class; `usage` tells it apart. */
export function usageError(code: ErrorCode, message: string, options: CertrelayErrorOptions = {}): CertrelayError {
  return new CertrelayError(code, message, { ...options, usage: true });
}

export interface StoreFlags {
  storeDir: string;
  aws?: boolean;
  awsEndpoint?: string;
  awsRegion?: string;
}

export interface RunFlags extends StoreFlags {
  config: string;
  caFile?: string;
  pollInterval: string;
  pollTimeout: string;
  /** the whole run's budget in ms (every wait draws on it) */
  timeout?: string;
  httpTimeout?: string;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export const DEFAULT_STORE_DIR = ".certrelay/store";

/** The options `check`, `deploy` and `renew` share. */
export function addRunOptions(command: Command): Command {
  return command
    .option("-c, --config <file>", "certrelay.yml to run", "certrelay.yml")
    .option("--store-dir <dir>", "local store directory (one JSON file per secret)", DEFAULT_STORE_DIR)
    .option("--aws", "use AWS Secrets Manager (region from AWS_REGION) instead of the local store")
    .option("--aws-endpoint <url>", "Secrets Manager endpoint (e.g. a local moto_server); implies --aws")
    .option("--aws-region <region>", "AWS region (default: AWS_REGION, else us-east-1)")
    .option("--ca-file <file>", "extra trusted CA (PEM) for vendor endpoints and edges, e.g. the sandbox CA")
    .option("--poll-interval <ms>", "wait between polls of asynchronous issuance", "5000")
    .option(
      "--poll-timeout <ms>",
      "longest wait (wall time) for one asynchronous issuance or edge propagation",
      "120000",
    )
    .option(
      "--timeout <ms>",
      "time budget of the whole run: every wait draws on it; a renewal that cannot finish stores its progress and stops in time",
    )
    .option("--http-timeout <ms>", "per-attempt timeout of each vendor HTTP request (env CERTRELAY_HTTP_TIMEOUT_MS)")
    .option("--json", "print the result as JSON (with error codes)")
    .option("-v, --verbose", "log each step to stderr")
    .option("-q, --quiet", "log nothing but errors");
}

export function parseMs(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 0) {
    throw usageError(ErrorCodes.INPUT_INVALID, `${flag} expects milliseconds as a whole number, e.g. ${flag} 2000`, {
      field: flag,
    });
  }
  return n;
}

/**
 * A config path that is not there is a usage error (exit 2), like `inspect missing.pem`; so is a certrelay.yml that
 * cannot be read or is invalid: it is the user's input to fix before anything runs, like a bad flag value.
 */
async function loadConfigFlag(path: string): Promise<CertrelayConfig> {
  try {
    return await loadConfig(path);
  } catch (error) {
    if (!(error instanceof CertrelayError) || error.usage) throw error;
    if (isInputError(error) && error.code === ErrorCodes.INPUT_MISSING) {
      throw usageError(
        ErrorCodes.INPUT_MISSING,
        `--config ${path} not found: give the path of your certrelay.yml (see the README)`,
        { field: "config" },
      );
    }
    if (error instanceof ConfigError) throw new ConfigError(error.source, [...error.problems], { usage: true });
    if (error.code === ErrorCodes.CONFIG_INVALID)
      throw usageError(error.code, error.message, {
        ...(error.field === undefined ? {} : { field: error.field }),
        cause: error,
      });
    throw error;
  }
}

function regionOf(flags: StoreFlags, env: Record<string, string | undefined>): string {
  return flags.awsRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
}

function describeStore(flags: StoreFlags, env: Record<string, string | undefined>): Record<string, string> {
  if (flags.aws || flags.awsEndpoint)
    return {
      kind: "aws-secrets-manager",
      region: regionOf(flags, env),
      ...(flags.awsEndpoint ? { endpoint: flags.awsEndpoint } : {}),
    };
  return { kind: "file", dir: resolve(flags.storeDir) };
}

/**
 * --aws-endpoint: an http(s) URL with a host and a usable port, nothing else (no path, no credentials). `flag` is the
 * option the user typed (the sandbox's is --seed-aws-endpoint), so the message names what they can change.
 */
export function checkAwsEndpoint(value: string, flag = "--aws-endpoint"): void {
  const bad = (why: string) =>
    usageError(
      ErrorCodes.INPUT_INVALID,
      `${flag} ${why}: give a URL like http://127.0.0.1:5000 (moto_server) or https://secretsmanager.eu-west-1.amazonaws.com`,
      { field: flag.replace(/^--/, "") },
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const port = /:(\d+)(\/|$)/.exec(value)?.[1];
    throw bad(port !== undefined && Number(port) > 65_535 ? `has port ${port}, out of range` : "is not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw bad("must start with http:// or https://");
  if (url.hostname === "") throw bad("has no host");
  if (url.username !== "" || url.password !== "")
    throw bad("must not carry credentials (use AWS_PROFILE or the AWS_* variables)");
  if (url.port === "0") throw bad("has port 0");
  if (url.pathname !== "/" && url.pathname !== "") throw bad("must not have a path");
}

export function createStore(
  flags: StoreFlags,
  env: Record<string, string | undefined>,
  endpointFlag = "--aws-endpoint",
): Store {
  if (flags.awsEndpoint !== undefined) checkAwsEndpoint(flags.awsEndpoint, endpointFlag);
  if (flags.aws || flags.awsEndpoint) {
    const region = regionOf(flags, env);
    const client = new SecretsManagerClient({ region, ...(flags.awsEndpoint ? { endpoint: flags.awsEndpoint } : {}) });
    return new SecretsManagerStore(client, { endpointSetting: `${endpointFlag} and --aws-region` });
  }
  return new FileStore({ dir: resolve(flags.storeDir) });
}

export async function readCaFile(path: string | undefined): Promise<string | undefined> {
  if (!path) return undefined;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw usageError(
      ErrorCodes.INPUT_INVALID,
      `--ca-file ${path} cannot be read: give the path of a PEM file with the CA certificate(s)`,
      { field: "ca-file" },
    );
  }
  let problem: CaCertificatesProblem | undefined;
  try {
    problem = caCertificatesProblem(text, `--ca-file ${path}`);
  } catch (error) {
    // a block that is cut, altered or not a certificate's DER: the same fix, as a usage error (exit 2)
    if (!isCertrelayError(error)) throw error;
    throw usageError(error.code, error.message, { field: "ca-file" });
  }
  if (problem?.kind === "no-certificate") {
    throw usageError(
      ErrorCodes.PEM_WRONG_TYPE,
      `--ca-file ${path} holds no "-----BEGIN CERTIFICATE-----" block: give the CA certificate in PEM`,
      { field: "ca-file" },
    );
  }
  if (problem !== undefined) {
    throw usageError(
      ErrorCodes.PEM_WRONG_TYPE,
      `--ca-file ${path} block ${problem.block} is ${problem.kind === "private-key" ? "a private key (it never goes there)" : `a ${problem.type}`}, not a CA certificate: give a file with only the CA certificate(s) in PEM`,
      { field: "ca-file" },
    );
  }
  return text;
}

export interface RunContext {
  config: CertrelayConfig;
  store: Store;
  ctx: ProviderContext;
  logger: Logger;
  clock: Clock;
  /** from --timeout; also in ctx.deadline */
  deadline?: Deadline | undefined;
}

/**
 * `--timeout` as a deadline. A slice of it (a tenth, at most 5 s) is kept back so a run that ran out of waiting
 * time can still store its progress and revoke its sessions within what the user asked for.
 */
export function cliDeadline(timeoutMs: number): Deadline {
  const reserve = Math.min(5_000, Math.floor(timeoutMs / 10));
  return new Deadline({
    budgetMs: timeoutMs - reserve,
    budget: "--timeout",
    fix: `raise --timeout above ${timeoutMs}`,
  });
}

export function logLevel(flags: { verbose?: boolean; quiet?: boolean }): LogLevel {
  if (flags.verbose && flags.quiet) {
    throw usageError(ErrorCodes.INPUT_INVALID, "--verbose and --quiet contradict each other: give one of them", {
      field: "verbose",
    });
  }
  return flags.verbose ? "info" : flags.quiet ? "error" : "warn";
}

export async function runContext(flags: RunFlags, io: CliIo): Promise<RunContext> {
  const pollInterval = parseMs(flags.pollInterval, "--poll-interval");
  const pollTimeout = parseMs(flags.pollTimeout, "--poll-timeout");
  const envHttpTimeout = io.env.CERTRELAY_HTTP_TIMEOUT_MS?.trim();
  const httpTimeout =
    flags.httpTimeout !== undefined
      ? parseMs(flags.httpTimeout, "--http-timeout")
      : envHttpTimeout
        ? parseMs(envHttpTimeout, "CERTRELAY_HTTP_TIMEOUT_MS")
        : undefined;
  const deadline = flags.timeout === undefined ? undefined : cliDeadline(parseMs(flags.timeout, "--timeout"));
  const logger = textLogger(io, logLevel(flags));
  const ca = await readCaFile(flags.caFile);
  const config = await loadConfigFlag(flags.config);
  const store = createStore(flags, io.env);
  // --verbose says what was read, so a surprising run can be traced to the file and store it used
  logger.info("config read", {
    file: resolve(flags.config),
    certificates: config.certificates.length,
    targets: config.certificates.reduce((n, c) => n + c.targets.length, 0),
  });
  logger.info("store", describeStore(flags, io.env));
  if (ca) logger.info("extra trusted CA read", { file: flags.caFile });
  const clock = systemClock;
  return {
    config,
    store,
    logger,
    clock,
    deadline,
    ctx: {
      clock,
      sleep: realSleep,
      logger,
      ...(ca ? { ca } : {}),
      caSetting: "--ca-file",
      ...((httpTimeout ?? config.httpTimeoutMs) ? { timeoutMs: httpTimeout ?? config.httpTimeoutMs } : {}),
      deadline,
      poll: { intervalMs: pollInterval, maxWaitMs: pollTimeout },
    },
  };
}
