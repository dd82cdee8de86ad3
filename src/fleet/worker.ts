/**
 * The queue worker: one SQS message = one certificate through the pipeline. Failures are returned as partial
 * batch failures so only those messages come back (and reach the DLQ after maxReceiveCount); a poisoned message
 * is reported like any failure and never takes the rest of the batch down with it.
 */
import pLimit from "p-limit";
import type { CertrelayConfig } from "../config/index.js";
import { renewBeforeDaysFor } from "../config/index.js";
import { lambdaDeadline } from "../deadline.js";
import { releaseOnTermination } from "../shutdown.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { CheckpointInterrupt, errorSummary, rotateCertificate, type PipelineDeps } from "../pipeline/index.js";
import { createJsonLogger, outcomeFromReport, type CertificateOutcome, type JsonLogger } from "../signals/log.js";
import { parseRenewalMessage } from "./fanout.js";
import { lazyDeps, type DepsSource, type FleetDeps } from "./deps.js";
import type { LambdaContext, SqsBatchResponse, SqsEvent, SqsRecord } from "./lambda-types.js";
import { reportOutcomes } from "./report.js";
import { closeQuietly, lambdaPipeline, logFailure } from "./invocation.js";

export type WorkerHandler = (event: SqsEvent, context: LambdaContext) => Promise<SqsBatchResponse>;

export function createWorkerHandler(source: DepsSource): WorkerHandler {
  const deps = lazyDeps(source);
  return (event, context) => logFailure(deps, "worker", () => runWorker(deps(), event, context));
}

/** What happened to one record: an outcome for a known certificate, or a rejection for a poisoned message. */
export type RecordResult =
  | { messageId: string; ok: boolean; outcome: CertificateOutcome }
  | { messageId: string; ok: false; rejected: { code: string; message: string } };

export async function runWorker(deps: FleetDeps, event: SqsEvent, context: LambdaContext): Promise<SqsBatchResponse> {
  const logger = createJsonLogger({
    write: deps.write,
    clock: deps.clock,
    base: { function: "worker", ...(context.awsRequestId ? { requestId: context.awsRequestId } : {}) },
  });
  const { config } = await deps.loadConfig();
  const deadline = lambdaDeadline(context, deps.settings.reserveMs);
  const providers = deps.createProviders(logger, deadline, { httpTimeoutMs: config.httpTimeoutMs });
  // Lambda sends SIGTERM before it shuts an environment down: vendor sessions are released first.
  const release = releaseOnTermination(() => providers.close());
  const pipeline = lambdaPipeline(deps, providers, logger, deadline, `worker ${context.awsRequestId ?? "invocation"}`);
  const limit = pLimit(deps.settings.workerConcurrency);
  // SQS delivers at least once: a certificate named twice in one batch is renewed once, and both messages share the result.
  const byName = new Map<string, Promise<RecordResult>>();
  const processOnce = (record: SqsRecord): Promise<RecordResult> => {
    const name = nameIn(record.body);
    const running = name === undefined ? undefined : byName.get(name);
    if (running) return running.then((r) => ({ ...r, messageId: record.messageId }));
    const started = limit(() => processRecord(record, config, pipeline, context, deps.settings.reserveMs, logger));
    if (name !== undefined) byName.set(name, started);
    return started;
  };
  let results: RecordResult[];
  try {
    results = await Promise.all(event.Records.map(processOnce));
  } finally {
    release();
    await closeQuietly(providers, logger);
  }
  // duplicates share one outcome object: a Set reports it once
  const outcomes = [...new Set(results.flatMap((r) => ("outcome" in r ? [r.outcome] : [])))];
  await reportOutcomes(deps, logger, outcomes, "worker");
  return { batchItemFailures: results.filter((r) => !r.ok).map((r) => ({ itemIdentifier: r.messageId })) };
}

/** Process one message; only a simulated crash (CheckpointInterrupt) escapes. */
export async function processRecord(
  record: SqsRecord,
  config: CertrelayConfig,
  pipeline: PipelineDeps,
  context: LambdaContext,
  reserveMs: number,
  logger: JsonLogger,
): Promise<RecordResult> {
  const messageId = record.messageId;
  let name: string;
  try {
    name = parseRenewalMessage(record.body).name;
  } catch (error) {
    return reject(messageId, error, logger);
  }
  const certificate = config.certificates.find((c) => c.name === name);
  if (!certificate) {
    const error = new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `no certificate named '${name}' in certrelay.yml; the message is left for the DLQ`,
      { field: "body.name" },
    );
    return reject(messageId, error, logger);
  }
  if (pipeline.deadline ? pipeline.deadline.expired() : context.getRemainingTimeInMillis() < reserveMs) {
    // Returned as a failure so SQS delivers it again after the visibility timeout.
    return {
      messageId,
      ok: false,
      outcome: {
        name,
        action: "deferred",
        durationMs: 0,
        detail: "too little time left in this invocation; SQS delivers it again",
      },
    };
  }
  try {
    const report = await rotateCertificate(certificate, renewBeforeDaysFor(config, certificate), pipeline);
    return { messageId, ok: report.action !== "failed", outcome: outcomeFromReport(report) };
  } catch (error) {
    if (error instanceof CheckpointInterrupt) throw error;
    return { messageId, ok: false, outcome: { name, action: "failed", durationMs: 0, error: errorSummary(error) } };
  }
}

function nameIn(body: string): string | undefined {
  try {
    return parseRenewalMessage(body).name;
  } catch {
    return undefined;
  }
}

function reject(messageId: string, error: unknown, logger: JsonLogger): RecordResult {
  const rejected = errorSummary(error);
  logger.error("message rejected", { messageId, errorCode: rejected.code, error: rejected.message });
  return { messageId, ok: false, rejected };
}
