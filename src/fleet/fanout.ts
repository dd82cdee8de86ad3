/**
 * Big fleets are renewed by the worker, one SQS message per certificate, so one slow vendor cannot eat the
 * scheduler's 15 minutes and SQS retries (then the DLQ) each certificate on its own.
 */
import type { SendMessageBatchRequestEntry, SQSClient } from "@aws-sdk/client-sqs";
import { CertrelayError, ErrorCodes } from "../errors.js";

/** The message body. `dedupeId` names this certificate in this scheduler run, for logs and FIFO queues. */
export interface RenewalMessage {
  name: string;
  dedupeId: string;
}

/** SQS takes at most 10 entries per SendMessageBatch. */
export const SQS_BATCH_LIMIT = 10;

export interface FanoutResult {
  queued: string[];
  /** names SQS refused, with its reason code (never the body) */
  failed: { name: string; code: string }[];
}

export function renewalMessage(name: string, runId: string): RenewalMessage {
  return { name, dedupeId: `${runId}:${name}` };
}

/**
 * Parse a message body. Anything that is not `{"name": "<string>", ...}` is a poisoned message: the caller
 * reports it as a batch item failure, so SQS moves it to the DLQ after maxReceiveCount.
 */
export function parseRenewalMessage(body: string): RenewalMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      'message body is not JSON; expected {"name": "<certificate name>"}',
      { field: "body" },
    );
  }
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    typeof (parsed as { name?: unknown }).name !== "string" ||
    (parsed as { name: string }).name === ""
  ) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      'message body has no certificate name; expected {"name": "<certificate name>"}',
      { field: "body.name" },
    );
  }
  const { name, dedupeId } = parsed as { name: string; dedupeId?: unknown };
  return { name, dedupeId: typeof dedupeId === "string" ? dedupeId : "" };
}

/** One SendMessageBatch per 10 names; entries SQS refuses are retried once, then reported. */
export async function enqueueRenewals(
  sqs: SQSClient,
  queueUrl: string,
  names: string[],
  runId: string,
): Promise<FanoutResult> {
  // loaded here, not at start: most scheduler runs never fan out (cold start)
  const { SendMessageBatchCommand } = await import("@aws-sdk/client-sqs");
  const fifo = queueUrl.endsWith(".fifo");
  const result: FanoutResult = { queued: [], failed: [] };
  for (let start = 0; start < names.length; start += SQS_BATCH_LIMIT) {
    let batch = names.slice(start, start + SQS_BATCH_LIMIT);
    for (let attempt = 1; batch.length > 0; attempt++) {
      const entries = batch.map((name, i) => entryFor(renewalMessage(name, runId), i, fifo));
      const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const refused = new Map((response.Failed ?? []).map((f) => [f.Id ?? "", f]));
      const retry: string[] = [];
      batch.forEach((name, i) => {
        const failure = refused.get(`m${i}`);
        if (!failure) result.queued.push(name);
        // SenderFault means the entry itself is wrong: sending it again cannot help.
        else if (attempt === 1 && failure.SenderFault !== true) retry.push(name);
        else result.failed.push({ name, code: failure.Code ?? "unknown" });
      });
      batch = retry;
    }
  }
  return result;
}

function entryFor(message: RenewalMessage, index: number, fifo: boolean): SendMessageBatchRequestEntry {
  return {
    Id: `m${index}`,
    MessageBody: JSON.stringify(message),
    // On a FIFO queue a re-run of the same scheduler invocation cannot enqueue a certificate twice.
    ...(fifo
      ? {
          MessageGroupId: message.name,
          MessageDeduplicationId: message.dedupeId.replace(/[^A-Za-z0-9!-/:-@[-`{-~]/g, "-").slice(0, 128),
        }
      : {}),
  };
}
