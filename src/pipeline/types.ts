import type { ManagedCertificate } from "../config/index.js";
import type { Deadline } from "../deadline.js";
import type { Clock, Issuer, Logger, Target } from "../model.js";
import type { Store } from "../store/index.js";
import type { PollSettings } from "./poll.js";

/** Builds the vendor objects a managed certificate needs; the registry caches them per endpoint+credentials. */
export interface Providers {
  issuerFor(certificate: ManagedCertificate): Promise<Issuer | undefined>;
  targetsFor(certificate: ManagedCertificate): Promise<Target[]>;
  /** how long the pipeline waits on a pending order within one run (absent: it asks once and reports pending) */
  readonly poll?: PollSettings;
  /**
   * Optional, for a scan of many certificates: the caller will ask for these certificates' vendor objects and then
   * `release` each certificate once it is done with it. An issuer or target no certificate still expected shares is
   * then closed and forgotten, so a fleet of thousands of devices does not keep one vendor object per device until
   * the end of the run; one shared by many (an account's, with its serial index) stays until the last of them.
   */
  expect?(certificates: readonly ManagedCertificate[]): void;
  release?(certificate: ManagedCertificate): Promise<void>;
  close(): Promise<void>;
}

export type Stage = "ordered" | "issued" | "target-deployed" | "before-promote";

export interface PipelineDeps {
  store: Store;
  providers: Providers;
  clock: Clock;
  logger: Logger;
  /** every read, no write: no purchase, no upload, no store write */
  dryRun: boolean;
  /** renew even when not due (CLI `renew --force`) */
  force?: boolean;
  /** the run's time budget: no step starts once it is spent; the renewal's progress is stored instead */
  deadline?: Deadline | undefined;
  /**
   * `certrelay deploy`: put the current material on targets and nothing else. A pending renewal is reported,
   * never continued (continuing one may buy a certificate), and nothing is renewed.
   */
  deployOnly?: boolean;
  /** names this run in the certificate leases it takes, for "in progress elsewhere" messages (a random suffix keeps each lease's owner unique) */
  runId?: string;
  /** how long a lease outlives a run that died holding it (default 15 minutes, the Lambda maximum) */
  leaseTtlMs?: number;
  /**
   * Called after each durable step. Errors thrown here are NOT caught by the pipeline: tests and the chaos run
   * use it to simulate a crash between steps, exactly where a Lambda timeout would cut a run.
   */
  checkpoint?: (stage: Stage, detail: { certificate: string; target?: string }) => void | Promise<void>;
}

/** Every action a certificate's run can end in, in the order counts are reported. */
export const CERTIFICATE_ACTIONS = [
  "none", // valid, not due, every target holds it
  "renewed", // new certificate issued, deployed everywhere, verified, promoted
  "deployed", // current certificate (re)deployed to targets that lacked it
  "pending", // issuer order still pending (DCV etc.); resumed next run
  "failed", // something failed; last good certificate untouched
  "would-renew", // dry run
  "would-deploy", // dry run
  "skipped", // another run holds this certificate's lease: in progress elsewhere, not an error
] as const;
export type CertificateAction = (typeof CERTIFICATE_ACTIONS)[number];

/** How many of `items` ended in each action, every action listed (zero included) in the order given. */
export function countByAction<A extends string>(
  actions: readonly A[],
  items: Iterable<{ action: A }>,
): Record<A, number> {
  const counts = Object.fromEntries(actions.map((a) => [a, 0])) as Record<A, number>;
  for (const item of items) counts[item.action] += 1;
  return counts;
}

/** `missing`, `drift`: what `check` finds at a target (holds no copy; lists the certificate but serves another) */
export type TargetStatus =
  | "holds-current"
  | "deployed"
  | "unchanged"
  | "failed"
  | "skipped"
  | "would-deploy"
  | "missing"
  | "drift";

export interface TargetReport {
  target: string;
  provider: string;
  status: TargetStatus;
  serial?: string;
  /** the target's own id of the copy it holds (a single-endpoint operation's `certificate-id` output) */
  certificateId?: string;
  expireIn?: number;
  /** `check`: the expiry and days left of the copy the target holds (another serial's, when it holds another) */
  notAfter?: string;
  daysLeft?: number;
  /** `check`: the copy is another serial that expires before the stored one */
  stale?: boolean;
  /** what a person should know about this target when it is not an error */
  detail?: string;
  /** `name`: the error's real class (`AuthError`, `StoreError`, `TypeError`...), logged as errorType */
  error?: { code: string; message: string; name?: string };
}

export interface CertificateReport {
  name: string;
  action: CertificateAction;
  /** days left of the certificate that is current after this run (or the current one when nothing changed) */
  daysLeft?: number;
  thresholdDays?: number;
  due: boolean;
  serial?: string;
  /** SHA-256 fingerprint (`AB:CD:...`), set when the operation parsed the certificate itself */
  fingerprint?: string;
  previousSerial?: string;
  notBefore?: string;
  notAfter?: string;
  renewAt?: string;
  targets: TargetReport[];
  /** `name`: the error's real class (`AuthError`, `StoreError`, `TypeError`...), logged as errorType */
  error?: { code: string; message: string; name?: string };
  detail?: string;
  /** `check`: where the certificate's error arose: reading the `store` (`missing`: it holds no certificate), the `pending` renewal, or the `targets` list */
  errorAt?: "store" | "missing" | "pending" | "targets";
  /** the renewal in progress after this run, when there is one (for `check` and the summary) */
  pending?: PendingSummary;
  durationMs: number;
}

export interface PendingSummary {
  reference: string;
  createdAt: string;
  attempts: number;
  orderId?: string;
  issued: boolean;
  lastError?: { code: string; message: string; at: string };
  abandoned: number;
  /** `check`: the references given up on, not only how many */
  abandonedReferences?: string[];
}
