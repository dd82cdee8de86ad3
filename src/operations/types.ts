import type { Deadline } from "../deadline.js";
import type { Clock, Logger, Sleep } from "../model.js";
import type { ProviderContext } from "../providers/context.js";
import type { SecretOutput } from "../providers/kit/operations.js";
import type { ProviderList } from "./request.js";

/** What the caller provides: time, waits, logs, trust, and a run id that keeps retried orders idempotent. */
export interface OperationDeps {
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  /** extra trusted CA (PEM) for https endpoints, e.g. a private CA in front of the PBX */
  ca?: string;
  /** how this entry point's user adds a trusted CA (the Action's `ca-certificate`), named by trust hints */
  caSetting?: string;
  /** bounded wait for asynchronous issuance */
  poll: { intervalMs: number; maxWaitMs: number };
  timeoutMs?: number;
  /** the run's time budget (the Action's wait-seconds): every HTTP attempt, backoff and poll draws on it */
  deadline?: Deadline;
  /** identifies this run (GitHub run id); a retried job reuses it and finds its earlier order */
  runId?: string;
  /**
   * Called once for a secret the vendor made during the run that the user must keep (an issuer account's key, when
   * none was given). The Action masks it before anything else and returns it as the output it names.
   */
  onSecretOutput?: (secret: SecretOutput) => void;
  /** the providers the request may name; default the built-in list (src/providers/index.ts) */
  providers?: ProviderList;
}

export function providerContext(deps: OperationDeps): ProviderContext {
  return {
    clock: deps.clock,
    sleep: deps.sleep,
    logger: deps.logger,
    ...(deps.ca ? { ca: deps.ca } : {}),
    ...(deps.caSetting ? { caSetting: deps.caSetting } : {}),
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
    ...(deps.deadline ? { deadline: deps.deadline } : {}),
    poll: deps.poll,
  };
}

export type OperationStatus =
  | "deployed"
  | "unchanged"
  | "would-deploy"
  | "issued"
  | "pending"
  | "would-apply"
  | "ok"
  | "expiring"
  | "failed";

/** One certificate at one place, as the summary table and the outputs show it. */
export interface CertificateRow {
  target: string;
  name?: string;
  certificateId?: string;
  serial?: string;
  fingerprint?: string;
  notBefore?: Date;
  notAfter?: Date;
  daysLeft?: number;
  renewAt?: Date;
  result: OperationStatus | string;
  detail?: string;
}

export interface OperationResult {
  operation: "deploy" | "apply" | "check";
  provider: string;
  target: string;
  status: OperationStatus;
  /** false when nothing was written anywhere */
  changed: boolean;
  /** one line for the log */
  message: string;
  /** false fails the step (check below min-days-left, verification failure) */
  ok: boolean;
  certificateId?: string;
  serial?: string;
  fingerprint?: string;
  notBefore?: Date;
  notAfter?: Date;
  expireIn?: number;
  /** apply: the issued certificate and its chain (PEM) */
  certificate?: string;
  chain?: string;
  /** apply: a generated private key (PEM). A secret: mask it before output. */
  privateKey?: string;
  /** apply: the vendor order, when pending */
  orderId?: string;
  /** when ok is false: the stable code of what went wrong (the Action's `error-code` output) */
  errorCode?: string;
  warnings: string[];
  rows: CertificateRow[];
}
