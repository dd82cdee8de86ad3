/** What both handlers do around their run: count outcomes, close vendor sessions, log a run that failed whole. */
import { systemClock, type Clock } from "../model.js";
import type { Deadline } from "../deadline.js";
import {
  CERTIFICATE_ACTIONS,
  CheckpointInterrupt,
  countByAction,
  errorSummary,
  type PipelineDeps,
  type Providers,
} from "../pipeline/index.js";
import {
  createJsonLogger,
  stdoutWriter,
  type CertificateOutcome,
  type FleetAction,
  type JsonLogger,
  type LineWriter,
} from "../signals/log.js";
import type { FleetDeps } from "./deps.js";

/**
 * A run that fails as a whole (bad config, bad environment, store unreachable, simulated crash) leaves one JSON
 * line with the error code before Lambda records the failure, so the same log query finds it.
 */
export async function logFailure<T>(deps: () => FleetDeps, fn: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const summary =
      error instanceof CheckpointInterrupt ? { code: "INTERRUPTED", message: error.message } : errorSummary(error);
    let write: LineWriter = stdoutWriter;
    let clock: Clock = systemClock;
    try {
      ({ write, clock } = deps());
    } catch {
      // the deps themselves could not be built (bad environment): stdout and the system clock still work
    }
    createJsonLogger({ write, clock, base: { function: fn } }).error("run failed", {
      errorCode: summary.code,
      ...("name" in summary && summary.name ? { errorType: summary.name } : {}),
      error: summary.message,
    });
    throw error;
  }
}

/** A scan adds what it hands on (queued) or leaves for lack of time (deferred) to the pipeline's actions. */
const FLEET_ACTIONS: readonly FleetAction[] = [...CERTIFICATE_ACTIONS, "queued", "deferred"];

export function countActions(outcomes: CertificateOutcome[]): Record<FleetAction, number> {
  return countByAction(FLEET_ACTIONS, outcomes);
}

/** The pipeline as a Lambda invocation runs it: never dry, under the invocation's deadline, named by its run. */
export function lambdaPipeline(
  deps: FleetDeps,
  providers: Providers,
  logger: JsonLogger,
  deadline: Deadline,
  runId: string,
): PipelineDeps {
  return {
    store: deps.store,
    providers,
    clock: deps.clock,
    logger,
    dryRun: false,
    deadline,
    runId,
    ...(deps.checkpoint ? { checkpoint: deps.checkpoint } : {}),
  };
}

export async function closeQuietly(providers: Providers, logger: JsonLogger): Promise<void> {
  try {
    await providers.close();
  } catch (error) {
    logger.warn("closing vendor sessions failed", { error: error instanceof Error ? error.message : String(error) });
  }
}
