/**
 * `certrelay check`: how long every managed certificate, and every target's deployed copy of it, has left. Reads
 * only. Exits 1 when anything is at or below its renewal threshold, so a cron job or CI step turns red early.
 */
import type { Command } from "commander";
import pLimit from "p-limit";
import { renewBeforeDaysFor, type ManagedCertificate } from "../../config/index.js";
import type { Clock, Target } from "../../model.js";
import { checkRowsFromReport, type CheckRow, type CheckStatus } from "../../operations/check-rows.js";
import { describeWindow, errorSummary, inspectTarget, newReport, pendingSummary } from "../../pipeline/index.js";
import type { CertificateReport } from "../../pipeline/types.js";
import { StoreBackedProviders } from "../../providers/registry.js";
import type { PendingRenewal, Store } from "../../store/index.js";
import { expireInDays } from "../../x509/index.js";
import { releaseOnTermination } from "../../shutdown.js";
import { addRunOptions, runContext, type RunFlags } from "../context.js";
import { renderTable, shortSerial, type CliIo } from "../output.js";
import { checkStoredMaterial } from "../stored-material.js";

export {
  STUCK_AGE_DAYS,
  STUCK_ATTEMPTS,
  type CheckRow,
  type CheckStatus,
  type PendingCheck,
} from "../../operations/check-rows.js";

/** The report of one certificate as `check` sees it: the store's copy, its renewal in progress, each target's copy. */
async function checkCertificate(
  cert: ManagedCertificate,
  renewBeforeDays: number,
  store: Store,
  providers: StoreBackedProviders,
  now: Date,
): Promise<CertificateReport> {
  const report = newReport(cert.name);
  const failed = (at: NonNullable<CertificateReport["errorAt"]>, error: NonNullable<CertificateReport["error"]>) =>
    Object.assign(report, { errorAt: at, error });
  let current;
  try {
    current = await store.getCurrent(cert.secret);
  } catch (error) {
    return failed("store", errorSummary(error));
  }
  let pending: PendingRenewal | undefined;
  try {
    pending = await store.getPending(cert.secret);
  } catch (error) {
    return failed("pending", errorSummary(error));
  }
  if (pending)
    report.pending = {
      ...pendingSummary(pending),
      abandonedReferences: (pending.abandoned ?? []).map((a) => a.reference),
    };
  if (!current)
    return failed("missing", {
      code: "STORE_NOT_FOUND",
      message: `secret ${cert.secret} holds no certificate yet: run certrelay renew`,
    });
  // A stored certificate or key that cannot be used fails this certificate only, by field, and says so in the table.
  const stored = checkStoredMaterial(current, cert.secret, cert.name);
  if ("problem" in stored) return failed("store", stored.problem);
  const facts = stored.facts;
  describeWindow(report, facts, now, renewBeforeDays);
  let targets: Target[];
  try {
    targets = await providers.targetsFor(cert);
  } catch (error) {
    return failed("targets", errorSummary(error, cert));
  }
  for (const target of targets) {
    // the pipeline's inspect step: the copy the target holds, and whether it serves the stored one
    const seen = await inspectTarget(
      target,
      { serial: facts.serial, commonName: facts.commonName },
      // the certificate of this config run: a refused login names its credentials secret and that secret's fields
      { listCopy: true, cert },
    );
    const base = { target: target.label, provider: target.provider };
    const copy = seen.copy;
    if (seen.error) report.targets.push({ ...base, status: "failed", error: seen.error });
    else if (!copy) report.targets.push({ ...base, status: "missing" });
    else if (seen.verified && !seen.verified.ok) {
      // Holding it is not serving it: a target can list the certificate while presenting another one.
      report.targets.push({
        ...base,
        status: "drift",
        ...(seen.verified.servedSerial ? { serial: seen.verified.servedSerial } : {}),
        error: { code: "DRIFT", message: `${seen.verified.detail}; run certrelay deploy` },
      });
    } else {
      report.targets.push({
        ...base,
        status: "holds-current",
        serial: copy.serial,
        notAfter: copy.notAfter.toISOString(),
        daysLeft: expireInDays(copy.notAfter, now),
        // another serial is "older than store" only when it expires earlier; a later one means the store is behind
        ...(copy.serial !== facts.serial && copy.notAfter.getTime() < facts.notAfter.getTime() ? { stale: true } : {}),
        ...(copy.serial !== facts.serial && copy.notAfter.getTime() >= facts.notAfter.getTime()
          ? {
              detail: `holds ${copy.serial}, not the stored ${facts.serial}, and it expires no earlier: the store is behind this target (a renewal elsewhere?)`,
            }
          : {}),
      });
    }
  }
  return report;
}

export async function checkAll(flags: RunFlags, io: CliIo, clock?: Clock): Promise<{ ok: boolean; rows: CheckRow[] }> {
  const run = await runContext(flags, io);
  const now = (clock ?? run.clock)();
  const providers = new StoreBackedProviders(run.store, run.ctx);
  const release = releaseOnTermination(() => providers.close());
  const limit = pLimit(run.config.concurrency);
  try {
    // one certificate's surprise (a bug, a store that throws oddly) is that certificate's error row, never the run's
    const perCert = await Promise.all(
      run.config.certificates.map((cert) =>
        limit(() =>
          checkCertificate(cert, renewBeforeDaysFor(run.config, cert), run.store, providers, now)
            .then((report) => checkRowsFromReport(report, now))
            .catch((error: unknown): CheckRow[] =>
              checkRowsFromReport({ ...newReport(cert.name), errorAt: "store", error: errorSummary(error) }, now),
            ),
        ),
      ),
    );
    // most urgent first; rows without a date (missing, error) are the most urgent of all
    const rows = perCert.flat().sort((a, b) => (a.daysLeft ?? -Infinity) - (b.daysLeft ?? -Infinity));
    // a renewal waiting or in progress is not a failure by itself; a stuck one is
    return { ok: rows.every((r) => r.status === "ok" || r.status === "pending"), rows };
  } finally {
    release();
    await providers.close();
  }
}

function printCheck(rows: CheckRow[], io: CliIo): void {
  const c = io.colors;
  const paint = (s: CheckStatus) => (s === "ok" ? c.green(s) : s === "due" || s === "pending" ? c.yellow(s) : c.red(s));
  io.out(
    renderTable(
      ["certificate", "where", "serial", "not after", "days left", "renew at ≤", "status"],
      rows.map((r) => [
        r.certificate,
        r.where,
        `${shortSerial(r.serial, 20)}${r.stale ? c.yellow(" (older than store)") : ""}`,
        r.notAfter?.slice(0, 10) ?? "-",
        r.daysLeft ?? "-",
        r.thresholdDays ?? "-",
        r.error
          ? `${paint(r.status)} ${r.error.code}: ${r.error.message}`
          : r.detail
            ? `${paint(r.status)} ${r.detail}`
            : paint(r.status),
      ]),
      { compact: true, align: ["left", "left", "left", "left", "right", "right", "left"] },
    ),
  );
  const due = rows.filter((r) => r.status !== "ok" && r.status !== "pending").length;
  io.out(
    due === 0
      ? c.green(`all ${rows.length} copies are outside their renewal window`)
      : c.yellow(`${due} of ${rows.length} copies need attention: run certrelay renew`),
  );
}

export function registerCheck(program: Command, io: CliIo, setExit: (code: number) => void): void {
  addRunOptions(
    program
      .command("check")
      .description("days left of every managed certificate and each target's copy; exit 1 when any is due"),
  )
    .addHelpText(
      "after",
      "\nExample:\n  $ certrelay check --config certrelay.yml --store-dir .certrelay/store\n  $ certrelay check --aws --json",
    )
    .action(async (flags: RunFlags) => {
      const result = await checkAll(flags, io);
      if (flags.json) io.out(JSON.stringify(result, null, 2));
      else printCheck(result.rows, io);
      setExit(result.ok ? 0 : 1);
    });
}
