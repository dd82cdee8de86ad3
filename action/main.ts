/**
 * The Action: mask secrets, read inputs, run one operation (or a certrelay.yml), then translate the result into
 * outputs, a job summary and an exit code. A thrown error becomes one `::error` line naming what to fix.
 */
import * as core from "@actions/core";
import { isInsecureEndpoint } from "../src/config/harden.js";
import { CertrelayError, ErrorCodes } from "../src/errors.js";
import { Deadline } from "../src/deadline.js";
import { systemClock, type Logger } from "../src/model.js";
import {
  explainFailure,
  runConfigFile,
  runOperation,
  type OperationDeps,
  type OperationResult,
  type ProviderList,
} from "../src/operations/index.js";
import { builtInProviders } from "../src/providers/index.js";
import type { SecretOutput } from "../src/providers/kit/operations.js";
import { renderSummary, type DeploymentContext } from "../src/report/summary.js";
import { stopOnTermination, stoppableSleep, type RunStopper } from "../src/shutdown.js";
import { getSettings, isActionInput, maskSecretInputs, maskText, type ActionSettings } from "./inputs.js";

function fieldsText(fields: Record<string, unknown> | undefined): string {
  return fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
}

const actionsLogger: Logger = {
  debug: (message, fields) => core.debug(`${message}${fieldsText(fields)}`),
  info: (message, fields) => core.info(`${message}${fieldsText(fields)}`),
  warn: (message, fields) => core.warning(`${message}${fieldsText(fields)}`),
  error: (message, fields) => core.info(`error: ${message}${fieldsText(fields)}`),
};

/**
 * The run, from the variables the runner sets (what @actions/github's `context` reads; importing that package
 * would load Octokit, ~0.5 MB of bundle evaluated on every start, for these few strings).
 */
function deploymentContext(): DeploymentContext {
  const env = process.env;
  const runNumber = Number.parseInt(env.GITHUB_RUN_ID ?? "", 10);
  const runId = Number.isFinite(runNumber) ? String(runNumber) : undefined;
  const repository = env.GITHUB_REPOSITORY;
  const serverUrl = env.GITHUB_SERVER_URL || "https://github.com";
  return {
    ...(repository ? { repository } : {}),
    ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
    ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
    ...(env.GITHUB_WORKFLOW ? { workflow: env.GITHUB_WORKFLOW } : {}),
    ...(env.GITHUB_JOB ? { job: env.GITHUB_JOB } : {}),
    ...(runId ? { runId } : {}),
    ...(runId && repository ? { runUrl: `${serverUrl}/${repository}/actions/runs/${runId}` } : {}),
    ...(env.GITHUB_ENVIRONMENT ? { environment: env.GITHUB_ENVIRONMENT } : {}),
    ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
  };
}

function deps(
  settings: ActionSettings,
  runId: string | undefined,
  providers: ProviderList,
  stopper: RunStopper,
): OperationDeps {
  // a deploy waits only for an edge to serve the new certificate, which has its own input; apply waits for the issuer
  const edge = settings.operation === "deploy" && settings.run.kind === "single";
  const waitInput = edge ? "edge-wait-seconds" : "wait-seconds";
  const maxWaitMs = (edge ? settings.edgeWaitSeconds : settings.waitSeconds) * 1000;
  // the wait input bounds the whole step, not only the polls: a hanging vendor cannot hold the job past it plus a
  // minute for the calls around the wait (key generation, the order itself, the download)
  const deadline = new Deadline({
    budgetMs: maxWaitMs + 60_000,
    budget: `${waitInput} (+60 s)`,
    fix: `raise the ${waitInput} input`,
  });
  // a cancelled job (SIGINT, then SIGTERM) stops the deadline: waits end and the run releases what it holds
  stopper.watch(deadline);
  return {
    clock: systemClock,
    sleep: stoppableSleep(deadline),
    logger: actionsLogger,
    ...(settings.caCertificate ? { ca: settings.caCertificate } : {}),
    caSetting: "the ca-certificate input",
    // poll often enough to notice quickly, rarely enough to stay polite within the window
    poll: { intervalMs: Math.min(10_000, Math.max(200, Math.floor(maxWaitMs / 30))), maxWaitMs },
    deadline,
    ...(runId ? { runId } : {}),
    onSecretOutput: reportSecretOutput,
    providers,
  };
}

/**
 * A secret the vendor made exists only in this run (a new issuer account's key): mask it first (per line, like
 * every secret), hand it out as an output at once (the run may still fail afterwards, the account exists by then),
 * and say where it goes.
 */
function reportSecretOutput(secret: SecretOutput): void {
  maskText(secret.value);
  core.setOutput(secret.output, secret.value);
  core.warning(secret.notice, { title: secret.title });
}

function setOutputs(result: OperationResult): void {
  if (result.privateKey) maskText(result.privateKey);
  const outputs: Record<string, string | undefined> = {
    status: result.status,
    changed: String(result.changed),
    message: result.message,
    "certificate-id": result.certificateId,
    "serial-number": result.serial,
    fingerprint: result.fingerprint,
    "not-before": result.notBefore?.toISOString(),
    "not-after": result.notAfter?.toISOString(),
    "expire-in": result.expireIn === undefined ? undefined : String(result.expireIn),
    certificate: result.certificate,
    chain: result.chain,
    "private-key": result.privateKey,
    "order-id": result.orderId,
    pending: String(result.status === "pending"),
  };
  for (const [name, value] of Object.entries(outputs)) if (value !== undefined) core.setOutput(name, value);
}

/** The provider the step was about, even when its inputs could not be read: summaries and titles name it. */
function providerOf(settings: ActionSettings | undefined): string | undefined {
  if (settings?.run.kind === "single") return settings.run.request.vendor.provider;
  if (settings?.run.kind === "config") return undefined;
  const raw = core.getInput("provider").trim().toLowerCase();
  return /^[a-z0-9-]{1,32}$/.test(raw) ? raw : undefined;
}

function title(settings: ActionSettings | undefined, result?: OperationResult): string {
  const operation = settings?.operation ?? (core.getInput("operation").trim().toLowerCase() || "deploy");
  const provider = result?.provider && result.provider !== "config" ? result.provider : providerOf(settings);
  const where = result ? `: ${result.target}` : "";
  return `certrelay ${operation}${provider ? ` ${provider}` : ""}${where}`;
}

async function writeSummary(markdown: string): Promise<void> {
  // Outside a runner (or a runner without summaries) there is nowhere to write; that must not fail the step.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown).write();
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ");
}

/** `providers`: the vendors the inputs may name (the built-in list; a test adds its own provider). */
export async function run(providers: ProviderList = builtInProviders): Promise<void> {
  maskSecretInputs(providers);
  // GitHub cancels a job with SIGINT, then SIGTERM: without a handler the step dies holding vendor sessions, the
  // certificate's lease and DNS-01 records; with it the run ends through its normal releases (bounded, see shutdown)
  const stopper = stopOnTermination();
  let settings: ActionSettings | undefined;
  const summaryContext = deploymentContext();
  try {
    settings = getSettings(providers);
    for (const name of settings.unused) {
      const what =
        settings.run.kind === "config"
          ? "a config run (certrelay.yml and the store say everything)"
          : `operation ${settings.operation} with provider ${settings.run.request.vendor.provider}`;
      core.warning(`input '${name}' is set but not used by ${what}; remove it, or check the operation and provider`, {
        title: "certrelay unused input",
      });
    }
    if (settings.run.kind === "single" && isInsecureEndpoint(settings.run.request.vendor.endpoint)) {
      // as certrelay.yml without allowInsecure: refused before any request, since the credentials would go in clear
      if (!settings.allowInsecure) {
        throw new CertrelayError(
          ErrorCodes.INPUT_INVALID,
          "input 'endpoint' uses http:// to another machine: credentials and keys would cross the network unencrypted; use https://, or set input 'allow-insecure' to true for a lab device on a trusted network",
          { field: "endpoint" },
        );
      }
      core.warning(
        "input 'endpoint' uses http:// to another machine: credentials and keys cross the network unencrypted (allow-insecure is true); use https://",
        { title: "certrelay insecure endpoint" },
      );
    }
    const operationDeps = deps(settings, summaryContext.runId, providers, stopper);
    const result =
      settings.run.kind === "config"
        ? await runConfigFile(settings.run.config, operationDeps)
        : await runOperation(settings.run.request, operationDeps);
    setOutputs(result);
    if (!result.ok) core.setOutput("error-code", result.errorCode ?? "FAILED");
    for (const warning of result.warnings) core.warning(oneLine(warning), { title: "certrelay pending" });
    await writeSummary(
      renderSummary({
        title: title(settings, result),
        message: result.message,
        ok: result.ok,
        rows: result.rows,
        warnings: result.warnings,
        context: summaryContext,
        now: systemClock(),
      }),
    );
    if (result.ok) {
      if (!result.warnings.includes(result.message)) core.info(result.message);
    } else fail(result.errorCode ? `${result.errorCode}: ${oneLine(result.message)}` : oneLine(result.message));
  } catch (error) {
    const provider = providerOf(settings);
    const explained = explainFailure(error, { entry: "action", providers, ...(provider ? { provider } : {}) });
    const message = `${explained.code}: ${namingInput(explained.message, explained.field, providers)}`;
    // Outputs first: a later step (`if: failure()`) reads them to page someone or open an issue.
    core.setOutput("status", "failed");
    core.setOutput("changed", "false");
    core.setOutput("error-code", explained.code);
    core.setOutput("message", message);
    fail(message);
    try {
      await writeSummary(
        renderSummary({
          title: title(settings),
          message,
          ok: false,
          rows: [],
          context: summaryContext,
          now: systemClock(),
        }),
      );
    } catch {
      // the error line above is what matters
    }
  } finally {
    stopper.dispose();
  }
}

/** A workflow author can only change inputs: make sure the message names the one to fix. */
function namingInput(message: string, field: string | undefined, providers: ProviderList): string {
  if (!field || !isActionInput(field, providers) || message.includes(`'${field}'`)) return message;
  if (message.startsWith(`${field}: `)) return `input '${field}': ${message.slice(field.length + 2)}`;
  return `${message} (input '${field}')`;
}

/**
 * One `::error` line and a failing exit code. `core.setFailed`, not `process.exitCode = core.ExitCode...`: GitHub's
 * local runner (`@github/local-action`) stands in for @actions/core without `ExitCode` and crashed on it.
 */
function fail(message: string): void {
  core.setFailed(message);
}
