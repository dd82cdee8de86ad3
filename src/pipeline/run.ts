import pLimit from "p-limit";
import { renewBeforeDaysFor, type CertrelayConfig, type ManagedCertificate } from "../config/index.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { rotateCertificate } from "./rotate.js";
import {
  CERTIFICATE_ACTIONS,
  countByAction,
  type CertificateAction,
  type CertificateReport,
  type PipelineDeps,
} from "./types.js";

export interface RunOptions {
  /** only these certificate names */
  only?: string[];
  /** called as each certificate finishes, for progress lines */
  onProgress?: (report: CertificateReport, done: number, total: number) => void;
}

export interface RunSummary {
  reports: CertificateReport[];
  counts: Record<CertificateAction, number>;
  /** true when nothing failed */
  ok: boolean;
}

/** Run the pipeline over the configured certificates with bounded concurrency (config.concurrency). */
export async function runPipeline(
  config: CertrelayConfig,
  deps: PipelineDeps,
  options: RunOptions = {},
): Promise<RunSummary> {
  const selected = selectCertificates(config.certificates, options.only);
  const limit = pLimit(config.concurrency);
  let done = 0;
  try {
    const reports = await Promise.all(
      selected.map((cert) =>
        limit(async () => {
          const report = await rotateCertificate(cert, renewBeforeDaysFor(config, cert), deps);
          done += 1;
          options.onProgress?.(report, done, selected.length);
          return report;
        }),
      ),
    );
    return summarize(reports);
  } finally {
    await deps.providers.close();
  }
}

export function summarize(reports: CertificateReport[]): RunSummary {
  const counts = countByAction(CERTIFICATE_ACTIONS, reports);
  return { reports, counts, ok: counts.failed === 0 };
}

function selectCertificates(all: ManagedCertificate[], only: string[] | undefined): ManagedCertificate[] {
  if (!only || only.length === 0) return all;
  const unknown = only.filter((name) => !all.some((c) => c.name === name));
  if (unknown.length > 0) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `unknown certificate name(s): ${unknown.join(", ")}; names in the config: ${all.map((c) => c.name).join(", ")}`,
      { field: "only" },
    );
  }
  return all.filter((c) => only.includes(c.name));
}
