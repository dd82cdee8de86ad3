import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Deadline } from "../deadline.js";
import type { Clock, Logger } from "../model.js";
import type { PipelineDeps, Providers } from "../pipeline/index.js";
import type { LineWriter } from "../signals/log.js";
import type { Notifier } from "../signals/notify.js";
import type { Store } from "../store/index.js";
import type { LoadedConfig } from "./config-source.js";

export interface FleetSettings {
  /** more certificates needing work than this go to the queue instead of being renewed in-process */
  fanoutThreshold: number;
  /** certificates under this many days that could not be renewed raise a notification */
  criticalDays: number;
  /** records one worker invocation renews at once (vendor rate limits) */
  workerConcurrency: number;
  /**
   * Kept back from the invocation's remaining time: the run's deadline is remaining time minus this, so every wait
   * stops in time to store progress and report; no new certificate starts once only this much is left.
   */
  reserveMs: number;
  /** per-attempt HTTP timeout for vendor calls (HTTP_TIMEOUT_MS; else certrelay.yml httpTimeoutMs; else 30 s) */
  httpTimeoutMs?: number;
  /** check that targets of not-due certificates serve the stored certificate (vendor reads) */
  checkTargets: boolean;
  queueUrl?: string;
}

export const DEFAULT_SETTINGS: FleetSettings = {
  fanoutThreshold: 10,
  criticalDays: 7,
  workerConcurrency: 2,
  reserveMs: 120_000,
  checkTargets: true,
};

/** Everything the scheduler and worker touch, injected so tests pass moto clients, sandboxes and a fixed clock. */
export interface FleetDeps {
  loadConfig(): Promise<LoadedConfig>;
  store: Store;
  /**
   * A fresh provider set per invocation; the handler closes it (tokens, connections) before returning. Every vendor
   * wait draws on `deadline` (the invocation's remaining time minus reserveMs).
   */
  createProviders(logger: Logger, deadline?: Deadline, fromConfig?: { httpTimeoutMs?: number | undefined }): Providers;
  clock: Clock;
  /** where log and EMF lines go */
  write: LineWriter;
  /** the queue client, or a factory so the SQS SDK loads only when a run actually fans out */
  sqs?: SQSClient | (() => Promise<SQSClient>);
  notifiers: Notifier[];
  settings: FleetSettings;
  /** crash simulation between pipeline steps (tests, chaos runs) */
  checkpoint?: PipelineDeps["checkpoint"];
  /** id of one scheduler run, for message dedupe ids and logs; default: the Lambda request id */
  runId?: () => string;
}

/** Deps may be built on first use: a Lambda module must not read env or make clients at import time in tests. */
export type DepsSource = FleetDeps | (() => FleetDeps);

export function lazyDeps(source: DepsSource): () => FleetDeps {
  let resolved: FleetDeps | undefined;
  return () => (resolved ??= typeof source === "function" ? source() : source);
}
