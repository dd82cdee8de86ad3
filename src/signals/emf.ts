/**
 * CloudWatch Embedded Metric Format: a log line that CloudWatch turns into metrics, so the Lambda needs no
 * PutMetricData permission and no extra call. Spec:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import type { CertificateOutcome, LineWriter } from "./log.js";

export const METRIC_NAMESPACE = "certrelay";

export type MetricUnit = "Count" | "None" | "Milliseconds";

export interface Metric {
  name: string;
  value: number;
  unit: MetricUnit;
}

export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: MetricUnit }[] }[];
  };
  [member: string]: unknown;
}

/** One EMF document: every metric shares the given dimensions (none: a fleet-wide metric). */
export function emfDocument(metrics: Metric[], dimensions: Record<string, string>, at: Date): EmfDocument {
  const doc: EmfDocument = {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [Object.keys(dimensions)],
          Metrics: metrics.map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
  };
  for (const [key, value] of Object.entries(dimensions)) doc[key] = value;
  for (const m of metrics) doc[m.name] = m.value;
  return doc;
}

/** DaysLeft per certificate, as a metric an alarm can watch (`DaysLeft < 7` for Certificate=www). */
export function daysLeftDocument(outcome: CertificateOutcome, at: Date): EmfDocument | undefined {
  if (outcome.daysLeft === undefined) return undefined;
  return emfDocument([{ name: "DaysLeft", value: outcome.daysLeft, unit: "None" }], { Certificate: outcome.name }, at);
}

export interface RunCounts {
  succeeded: number;
  failed: number;
}

/** Fleet totals of one invocation. */
export function runDocument(counts: RunCounts, at: Date): EmfDocument {
  return emfDocument(
    [
      { name: "RenewalsSucceeded", value: counts.succeeded, unit: "Count" },
      { name: "RenewalsFailed", value: counts.failed, unit: "Count" },
    ],
    {},
    at,
  );
}

/** Write the per-certificate and fleet metrics of one invocation. */
export function writeMetrics(write: LineWriter, outcomes: CertificateOutcome[], at: Date): void {
  for (const outcome of outcomes) {
    const doc = daysLeftDocument(outcome, at);
    if (doc) write(JSON.stringify(doc));
  }
  write(JSON.stringify(runDocument(countRenewals(outcomes), at)));
}

export function countRenewals(outcomes: CertificateOutcome[]): RunCounts {
  return {
    succeeded: outcomes.filter((o) => o.action === "renewed").length,
    failed: outcomes.filter((o) => o.action === "failed").length,
  };
}
