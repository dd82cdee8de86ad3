/**
 * The Lambda's environment, read once, validated, and turned into FleetDeps. This is the only place in the fleet
 * code that knows variable names; messages name the variable and the fix, never a value.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { caCertificatesProblem } from "../x509/facts.js";
import { realSleep, systemClock } from "../model.js";
import { StoreBackedProviders } from "../providers/registry.js";
import { stdoutWriter } from "../signals/log.js";
import { SnsNotifier, WebhookNotifier, type Notifier } from "../signals/notify.js";
import { SecretsManagerStore } from "../store/index.js";
import { loadFleetConfig } from "./config-source.js";
import { DEFAULT_SETTINGS, type FleetDeps, type FleetSettings } from "./deps.js";

export type Env = Record<string, string | undefined>;

const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

function wholeNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CertrelayError(ErrorCodes.CONFIG_INVALID, `${name} must be a whole number from ${min} to ${max}`, {
      field: name,
    });
  }
  return value;
}

export function settingsFromEnv(env: Env): FleetSettings {
  const queueUrl = env.QUEUE_URL?.trim();
  return {
    fanoutThreshold: wholeNumber(env, "FANOUT_THRESHOLD", DEFAULT_SETTINGS.fanoutThreshold, 0, 100_000),
    criticalDays: wholeNumber(env, "CRITICAL_DAYS", DEFAULT_SETTINGS.criticalDays, 0, 365),
    workerConcurrency: wholeNumber(env, "WORKER_CONCURRENCY", DEFAULT_SETTINGS.workerConcurrency, 1, 64),
    reserveMs: wholeNumber(env, "RESERVE_MS", DEFAULT_SETTINGS.reserveMs, 0, 900_000),
    ...(env.HTTP_TIMEOUT_MS?.trim()
      ? { httpTimeoutMs: wholeNumber(env, "HTTP_TIMEOUT_MS", DEFAULT_HTTP_TIMEOUT_MS, 100, 900_000) }
      : {}),
    checkTargets: (env.CHECK_TARGETS ?? "true").toLowerCase() !== "false",
    ...(queueUrl ? { queueUrl } : {}),
  };
}

export function notifiersFromEnv(env: Env, sns: () => SNSClient | Promise<SNSClient>): Notifier[] {
  const notifiers: Notifier[] = [];
  const topic = env.NOTIFY_TOPIC_ARN?.trim();
  if (topic) notifiers.push(new SnsNotifier(sns, topic));
  const webhook = env.NOTIFY_WEBHOOK_URL?.trim();
  if (webhook) {
    if (!URL.canParse(webhook) || !/^https?:$/.test(new URL(webhook).protocol)) {
      throw new CertrelayError(ErrorCodes.CONFIG_INVALID, "NOTIFY_WEBHOOK_URL must be an http(s) URL", {
        field: "NOTIFY_WEBHOOK_URL",
      });
    }
    notifiers.push(new WebhookNotifier(webhook));
  }
  return notifiers;
}

/** The handler's own directory (bundled config may sit next to it); undefined when not running from a file URL. */
function handlerDir(): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/**
 * CERTRELAY_CA_FILE, read and checked when the deps are built, so a wrong path or a file that is not a PEM CA fails
 * the invocation with a typed error naming the variable before any vendor call (as the CLI's --ca-file does), not
 * with a raw ENOENT or with every TLS verify failing later. A relative path resolves against the task root, as
 * CERTRELAY_CONFIG does: under lambda-local the working directory is not the function's directory.
 */
export function caFromEnv(env: Env, root: string): string | undefined {
  const raw = env.CERTRELAY_CA_FILE?.trim();
  if (!raw) return undefined;
  const path = isAbsolute(raw) ? raw : join(root, raw);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new CertrelayError(
      ErrorCodes.CONFIG_INVALID,
      `CERTRELAY_CA_FILE: ${path} cannot be read: set it to the path of a PEM file with the CA certificate(s), bundled with the function (a relative path is resolved against the task root), or unset it`,
      { field: "CERTRELAY_CA_FILE" },
    );
  }
  const problem = caCertificatesProblem(text, "CERTRELAY_CA_FILE");
  if (problem?.kind === "no-certificate") {
    throw new CertrelayError(
      ErrorCodes.CONFIG_INVALID,
      // not the "-----BEGIN" marker itself: the JSON log redacts any text holding it as a PEM
      `CERTRELAY_CA_FILE: ${path} holds no PEM certificate (a BEGIN CERTIFICATE block): set it to a file with the CA certificate(s) in PEM`,
      { field: "CERTRELAY_CA_FILE" },
    );
  }
  if (problem !== undefined) {
    throw new CertrelayError(
      ErrorCodes.CONFIG_INVALID,
      `CERTRELAY_CA_FILE: ${path} block ${problem.block} is ${problem.kind === "private-key" ? "a private key (it never goes there)" : `a ${problem.type}`}, not a CA certificate: set it to a file with only the CA certificate(s) in PEM`,
      { field: "CERTRELAY_CA_FILE" },
    );
  }
  return text;
}

/**
 * Production wiring. AWS clients take region, credentials and endpoint from the Lambda environment (and honour
 * AWS_ENDPOINT_URL, which is how a local run points them at moto). CERTRELAY_CA_FILE adds a trusted CA (PEM file)
 * for vendor endpoints with a private CA (caFromEnv).
 */
export function defaultDepsFromEnv(env: Env): FleetDeps {
  const settings = settingsFromEnv(env);
  const root = env.LAMBDA_TASK_ROOT ?? process.cwd();
  const here = handlerDir();
  const bundledPaths = [join(root, "certrelay.yml"), ...(here ? [join(here, "certrelay.yml")] : [])];
  const ca = caFromEnv(env, root);
  // the SDK reads both from this environment: what a Lambda user sets, so the unreachable hint names them
  const store = new SecretsManagerStore(new SecretsManagerClient({}), {
    endpointSetting: "AWS_ENDPOINT_URL and AWS_REGION",
  });
  let sns: Promise<SNSClient> | undefined;
  let sqs: Promise<SQSClient> | undefined;
  return {
    loadConfig: () =>
      loadFleetConfig({ inlineYaml: env.CERTRELAY_CONFIG_YAML, path: env.CERTRELAY_CONFIG, root, bundledPaths }),
    store,
    createProviders: (logger, deadline, fromConfig) =>
      new StoreBackedProviders(store, {
        clock: systemClock,
        sleep: realSleep,
        logger,
        ...(ca ? { ca } : {}),
        caSetting: "CERTRELAY_CA_FILE",
        timeoutMs: settings.httpTimeoutMs ?? fromConfig?.httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
        deadline,
        poll: { intervalMs: 5_000, maxWaitMs: 60_000 },
      }),
    clock: systemClock,
    write: stdoutWriter,
    // SQS and SNS clients load on first use: most runs neither fan out nor alert (cold start)
    ...(settings.queueUrl
      ? { sqs: () => (sqs ??= import("@aws-sdk/client-sqs").then((m) => new m.SQSClient({}))) }
      : {}),
    notifiers: notifiersFromEnv(env, () => (sns ??= import("@aws-sdk/client-sns").then((m) => new m.SNSClient({})))),
    settings,
  };
}
