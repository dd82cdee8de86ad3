/**
 * The small pure pieces every step and every report needs: how an error is summarised, how a pending renewal is
 * described, and the interrupt a checkpoint raises. Kept apart from the steps so the steps, the rotation and the
 * readers (scan, CLI) import them without importing each other.
 */
import type { ManagedCertificate } from "../config/index.js";
import { CertrelayError } from "../errors.js";
import { withCredentialsSecretHint } from "../operations/explain.js";
import type { PendingRenewal } from "../store/index.js";
import type { PendingSummary, Stage } from "./types.js";

/** `name`: the error's real class (`AuthError`, `StoreError`, `TypeError`...), logged as errorType */
export interface ErrorSummary {
  code: string;
  message: string;
  name?: string;
  /** what the user fixes, as a config run's user types it (a credentials secret's key, a config key, a secret id) */
  field?: string;
}

/** Thrown out of the pipeline (never caught per certificate) when a checkpoint hook simulates a crash. */
export class CheckpointInterrupt extends Error {
  constructor(
    readonly stage: Stage,
    cause: unknown,
  ) {
    super(`run interrupted at ${stage}`, { cause });
    this.name = "CheckpointInterrupt";
  }
}

/** `cert`: a config run's certificate, so a refused login names its credentials secret and that secret's fields. */
export function errorSummary(error: unknown, cert?: ManagedCertificate): ErrorSummary {
  if (error instanceof CertrelayError)
    return {
      code: error.code,
      name: error.name,
      message: cert ? withCredentialsSecretHint(error, cert) : error.message,
      ...(error.field === undefined ? {} : { field: error.field }),
    };
  return {
    code: "INTERNAL",
    ...(error instanceof Error ? { name: error.name } : {}),
    message: error instanceof Error ? error.message : String(error),
  };
}

export function pendingSummary(pending: PendingRenewal): PendingSummary {
  return {
    reference: pending.reference,
    createdAt: pending.createdAt,
    attempts: pending.attempts,
    ...(pending.orderId ? { orderId: pending.orderId } : {}),
    issued: Boolean(pending.certificate),
    ...(pending.lastError ? { lastError: pending.lastError } : {}),
    abandoned: pending.abandoned?.length ?? 0,
  };
}

/** `renewal certrelay-www-… started 3 days ago (2 attempts, order 7f…)` */
export function describePending(
  pending: Pick<PendingRenewal, "reference" | "createdAt" | "attempts" | "orderId">,
  now: Date,
): string {
  const created = Date.parse(pending.createdAt);
  const age = Number.isNaN(created) ? "at an unknown time" : `${formatAge(now.getTime() - created)} ago`;
  const order = pending.orderId ? `, order ${pending.orderId}` : ", no order yet";
  return `renewal ${pending.reference || "(interrupted promotion)"} started ${age} (${pending.attempts} attempt${pending.attempts === 1 ? "" : "s"}${order})`;
}

function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** Run the deps' checkpoint hook after a durable step; what it throws leaves the pipeline as a CheckpointInterrupt. */
export async function checkpoint(
  hook: ((stage: Stage, detail: { certificate: string; target?: string }) => void | Promise<void>) | undefined,
  certificate: string,
  stage: Stage,
  target?: string,
): Promise<void> {
  if (!hook) return;
  try {
    await hook(stage, { certificate, ...(target ? { target } : {}) });
  } catch (error) {
    throw new CheckpointInterrupt(stage, error);
  }
}
