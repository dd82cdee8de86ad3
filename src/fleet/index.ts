export { createSchedulerHandler, runScheduler, type SchedulerHandler, type SchedulerResult } from "./scheduler.js";
export { countActions, logFailure, closeQuietly } from "./invocation.js";
export { createWorkerHandler, runWorker, processRecord, type WorkerHandler, type RecordResult } from "./worker.js";
export { scanFleet, scanFleetEach, scanCertificate, type ScanEntry, type ScanReason, type ScanDeps } from "./scan.js";
export {
  enqueueRenewals,
  parseRenewalMessage,
  renewalMessage,
  SQS_BATCH_LIMIT,
  type RenewalMessage,
  type FanoutResult,
} from "./fanout.js";
export { loadFleetConfig, type ConfigSourceOptions, type LoadedConfig } from "./config-source.js";
export { DEFAULT_SETTINGS, lazyDeps, type FleetDeps, type FleetSettings, type DepsSource } from "./deps.js";
export { defaultDepsFromEnv, settingsFromEnv, notifiersFromEnv, type Env } from "./env.js";
export type { LambdaContext, SqsEvent, SqsRecord, SqsBatchResponse, ScheduledEvent } from "./lambda-types.js";
export { keepWasmOnBaselineCompiler } from "./small-memory.js";
export { loadYaml } from "../config/yaml.js";
