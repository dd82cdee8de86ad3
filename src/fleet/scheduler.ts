/**
 * The daily run: scan the fleet, report what is fine, and renew what is due, in-process for a few certificates
 * or through the queue (one message each) for many.
 */
import { randomUUID } from "node:crypto";
import pLimit from "p-limit";
import { lambdaDeadline, type Deadline } from "../deadline.js";
import { releaseOnTermination } from "../shutdown.js";
import { ErrorCodes } from "../errors.js";
import { rotateCertificate, type PipelineDeps } from "../pipeline/index.js";
import {
  createJsonLogger,
  outcomeFromReport,
  type CertificateOutcome,
  type FleetAction,
  type JsonLogger,
} from "../signals/log.js";
import { enqueueRenewals } from "./fanout.js";
import { lazyDeps, type DepsSource, type FleetDeps } from "./deps.js";
import { closeQuietly, countActions, lambdaPipeline, logFailure } from "./invocation.js";
import type { LambdaContext, ScheduledEvent } from "./lambda-types.js";
import { reportOutcomes } from "./report.js";
import { scanFleet, type ScanEntry } from "./scan.js";

export interface SchedulerResult {
  runId: string;
  configSource: string;
  mode: "in-process" | "fan-out";
  counts: Record<FleetAction, number>;
  outcomes: CertificateOutcome[];
}

export type SchedulerHandler = (event: ScheduledEvent, context: LambdaContext) => Promise<SchedulerResult>;

export function createSchedulerHandler(source: DepsSource): SchedulerHandler {
  const deps = lazyDeps(source);
  return (_event, context) => logFailure(deps, "scheduler", () => runScheduler(deps(), context));
}

export async function runScheduler(deps: FleetDeps, context: LambdaContext): Promise<SchedulerResult> {
  const runId = deps.runId?.() ?? context.awsRequestId ?? randomUUID();
  const logger = createJsonLogger({ write: deps.write, clock: deps.clock, base: { function: "scheduler", runId } });
  const deadline = lambdaDeadline(context, deps.settings.reserveMs);
  const { config, source } = await deps.loadConfig();
  const providers = deps.createProviders(logger, deadline, { httpTimeoutMs: config.httpTimeoutMs });
  // Lambda sends SIGTERM before it shuts an environment down: vendor sessions are released first.
  const release = releaseOnTermination(() => providers.close());
  let mode: SchedulerResult["mode"] = "in-process";
  const byName = new Map<string, CertificateOutcome>();
  try {
    const scan = await scanFleet(config, {
      store: deps.store,
      clock: deps.clock,
      concurrency: config.concurrency,
      ...(deps.settings.checkTargets ? { providers } : {}),
    });
    for (const entry of scan.filter((e) => !e.needsWork)) byName.set(entry.certificate.name, untouchedOutcome(entry));
    const work = scan.filter((e) => e.needsWork);
    logger.info("scan finished", {
      configSource: source,
      certificates: scan.length,
      needWork: work.length,
      fanoutThreshold: deps.settings.fanoutThreshold,
    });
    if (work.length > deps.settings.fanoutThreshold && deps.sqs && deps.settings.queueUrl) {
      mode = "fan-out";
      for (const outcome of await fanOut(deps, work, runId)) byName.set(outcome.name, outcome);
    } else {
      if (work.length > deps.settings.fanoutThreshold) {
        logger.warn("QUEUE_URL is not set: renewing in-process; what does not fit in this run is left for the next", {
          needWork: work.length,
        });
      }
      const pipeline = lambdaPipeline(deps, providers, logger, deadline, `scheduler ${runId}`);
      for (const outcome of await renewInProcess(pipeline, work, config.concurrency, deadline, logger)) {
        byName.set(outcome.name, outcome);
      }
    }
  } finally {
    release();
    await closeQuietly(providers, logger);
  }
  const outcomes = config.certificates.flatMap((c) => byName.get(c.name) ?? []);
  await reportOutcomes(deps, logger, outcomes, "scheduler");
  return { runId, configSource: source, mode, counts: countActions(outcomes), outcomes };
}

/** A certificate the scan found nothing to do for: its log line comes from the scan's report, as a rotation's does. */
function untouchedOutcome(entry: ScanEntry): CertificateOutcome {
  const { report } = entry;
  const outcome = outcomeFromReport(report);
  // an untouched certificate's line says when it will be renewed, not which target the scan looked at
  if (report.error) delete outcome.detail;
  else outcome.detail = `not due (renews at ${report.thresholdDays ?? "?"} days left)`;
  return outcome;
}

async function renewInProcess(
  pipeline: PipelineDeps,
  work: ScanEntry[],
  concurrency: number,
  deadline: Deadline,
  logger: JsonLogger,
): Promise<CertificateOutcome[]> {
  const limit = pLimit(concurrency);
  return Promise.all(
    work.map((entry) =>
      limit(async (): Promise<CertificateOutcome> => {
        // A certificate cut by the Lambda timeout would resume next run anyway; not starting it is simply cleaner.
        if (deadline.expired()) {
          logger.warn("not enough time left; leaving it for the next run", {
            certificate: entry.certificate.name,
            elapsedMs: Math.round(deadline.elapsed()),
          });
          return {
            name: entry.certificate.name,
            action: "deferred",
            durationMs: 0,
            ...(entry.report.daysLeft === undefined ? {} : { daysLeft: entry.report.daysLeft }),
            detail: "left for the next run: too little time left in this one",
          };
        }
        return outcomeFromReport(await rotateCertificate(entry.certificate, entry.renewBeforeDays, pipeline));
      }),
    ),
  );
}

async function fanOut(deps: FleetDeps, work: ScanEntry[], runId: string): Promise<CertificateOutcome[]> {
  const queueUrl = deps.settings.queueUrl;
  if (!deps.sqs || !queueUrl) return [];
  const sqs = typeof deps.sqs === "function" ? await deps.sqs() : deps.sqs;
  const started = performance.now();
  const result = await enqueueRenewals(
    sqs,
    queueUrl,
    work.map((e) => e.certificate.name),
    runId,
  );
  const durationMs = Math.round(performance.now() - started);
  const failed = new Map(result.failed.map((f) => [f.name, f.code]));
  return work.map((entry) => {
    const name = entry.certificate.name;
    const days = entry.report.daysLeft === undefined ? {} : { daysLeft: entry.report.daysLeft };
    const code = failed.get(name);
    if (code !== undefined) {
      return {
        name,
        action: "failed",
        durationMs,
        ...days,
        error: {
          code: ErrorCodes.VENDOR_ERROR,
          message: `SQS refused the renewal message (${code}); the next run retries`,
        },
      };
    }
    return { name, action: "queued", durationMs, ...days, detail: `queued for the worker (${entry.reason})` };
  });
}
