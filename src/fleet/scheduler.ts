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
import { scanFleetEach, type ScanEntry } from "./scan.js";

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
  // One small outcome per certificate, in config order, written as the scan judges it: the scan's entries (and
  // what the targets were read with) are not kept for the report, only the work ones until they are handed on.
  const outcomes = new Array<CertificateOutcome | undefined>(config.certificates.length);
  try {
    const work: ScanEntry[] = [];
    const workIndex: number[] = [];
    const untouched = untouchedOutcomes();
    await scanFleetEach(
      config,
      {
        store: deps.store,
        clock: deps.clock,
        concurrency: config.concurrency,
        ...(deps.settings.checkTargets ? { providers } : {}),
      },
      (entry, i) => {
        if (!entry.needsWork) outcomes[i] = untouched(entry);
        else {
          work.push(entry);
          workIndex.push(i);
        }
      },
    );
    logger.info("scan finished", {
      configSource: source,
      certificates: config.certificates.length,
      needWork: work.length,
      fanoutThreshold: deps.settings.fanoutThreshold,
    });
    let done: CertificateOutcome[];
    if (work.length > deps.settings.fanoutThreshold && deps.sqs && deps.settings.queueUrl) {
      mode = "fan-out";
      done = await fanOut(deps, work, runId);
    } else {
      if (work.length > deps.settings.fanoutThreshold) {
        logger.warn("QUEUE_URL is not set: renewing in-process; what does not fit in this run is left for the next", {
          needWork: work.length,
        });
      }
      const pipeline = lambdaPipeline(deps, providers, logger, deadline, `scheduler ${runId}`);
      done = await renewInProcess(pipeline, work, config.concurrency, deadline, logger);
    }
    // both answer one outcome per work entry, in order
    done.forEach((outcome, k) => (outcomes[workIndex[k] as number] = outcome));
  } finally {
    release();
    await closeQuietly(providers, logger);
  }
  const reported = outcomes.filter((o): o is CertificateOutcome => o !== undefined);
  await reportOutcomes(deps, logger, reported, "scheduler");
  return { runId, configSource: source, mode, counts: countActions(reported), outcomes: reported };
}

/**
 * A certificate the scan found nothing to do for: its log line comes from the scan's report, as a rotation's does.
 * One detail string per threshold, shared by every certificate with it.
 */
function untouchedOutcomes(): (entry: ScanEntry) => CertificateOutcome {
  const details = new Map<number | undefined, string>();
  return (entry) => {
    const { report } = entry;
    const outcome = outcomeFromReport(report);
    // an untouched certificate's line says when it will be renewed, not which target the scan looked at
    if (report.error) delete outcome.detail;
    else {
      let detail = details.get(report.thresholdDays);
      if (detail === undefined) {
        detail = `not due (renews at ${report.thresholdDays ?? "?"} days left)`;
        details.set(report.thresholdDays, detail);
      }
      outcome.detail = detail;
    }
    return outcome;
  };
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
