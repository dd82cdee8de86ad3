/**
 * The few Lambda shapes certrelay reads, declared here so the core needs no @types/aws-lambda. Field names are
 * AWS's (SQS event records, the context object), kept exactly so a real event type-checks against them.
 */

/** The part of the Lambda context object the handlers use. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

export interface SqsRecord {
  messageId: string;
  receiptHandle?: string;
  body: string;
  attributes?: Record<string, string | undefined>;
  eventSource?: string;
  eventSourceARN?: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

/** SQS partial batch response: only the listed messages return to the queue. */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** EventBridge scheduled event; the scheduler ignores its content. */
export interface ScheduledEvent {
  id?: string;
  time?: string;
  "detail-type"?: string;
}
