/**
 * `certrelay check`: how long every managed certificate, and every target's deployed copy of it, has left. Reads
 * only. Exits 1 when anything is at or below its renewal threshold, so a cron job or CI step turns red early.
 */
import type { Command } from "commander";
import pLimit from "p-limit";
import { renewBeforeDaysFor, type ManagedCertificate } from "../../config/index.js";
import { DAY_MS, type Clock, type Target } from "../../model.js";
import { describePending, errorSummary, inspectTarget, renewalWindow } from "../../pipeline/index.js";
import { StoreBackedProviders } from "../../providers/registry.js";
import type { PendingRenewal, Store } from "../../store/index.js";
import { expireInDays } from "../../x509/index.js";
import { releaseOnTermination } from "../../shutdown.js";
import { addRunOptions, runContext, type RunFlags } from "../context.js";
import { renderTable, shortSerial, type CliIo } from "../output.js";
import { checkStoredMaterial } from "../stored-material.js";

/** `drift`: the target holds the stored certificate but does not serve it (e.g. a PBX switched back to another) */
export type CheckStatus = "ok" | "due" | "expired" | "missing" | "drift" | "error" | "pending" | "stuck";

/** A renewal this often attempted without finishing, or this old while its certificate is due, is stuck. */
export const STUCK_ATTEMPTS = 5;
export const STUCK_AGE_DAYS = 3;

export interface PendingCheck {
  reference: string;
  createdAt: string;
  /** whole days since the renewal started */
  ageDays: number;
  attempts: number;
  orderId?: string;
  issued: boolean;
  lastError?: { code: string; message: string; at: string };
  /** references given up on because their order could not be collected with the renewal's key */
  abandoned: string[];
}

export interface CheckRow {
  certificate: string;
  /** `store` for the managed copy, else the target's label */
  where: string;
  serial?: string;
  notAfter?: string;
  daysLeft?: number;
  thresholdDays?: number;
  status: CheckStatus;
  /** the target holds an older certificate than the store */
  stale?: boolean;
  /** what a person should know about this row when it is not an error */
  detail?: string;
  /** the `pending` row: the renewal in progress */
  pending?: PendingCheck;
  error?: { code: string; message: string };
}

/**
 * The renewal in progress, as a row: `pending` while it may still finish on its own (or waits because the
 * certificate is not due), `stuck` when it keeps failing or has been running for days on a due certificate.
 */
function pendingRow(cert: ManagedCertificate, pending: PendingRenewal, due: boolean, now: Date): CheckRow {
  const created = Date.parse(pending.createdAt);
  const ageDays = Number.isNaN(created) ? 0 : Math.floor((now.getTime() - created) / DAY_MS);
  const stuck = (pending.attempts >= STUCK_ATTEMPTS && pending.lastError !== undefined) || (due && ageDays >= STUCK_AGE_DAYS);
  const info: PendingCheck = {
    reference: pending.reference,
    createdAt: pending.createdAt,
    ageDays,
    attempts: pending.attempts,
    ...(pending.orderId ? { orderId: pending.orderId } : {}),
    issued: Boolean(pending.certificate),
    ...(pending.lastError ? { lastError: pending.lastError } : {}),
    abandoned: (pending.abandoned ?? []).map((a) => a.reference),
  };
  const described = describePending(pending, now);
  const advice = stuck
    ? `stuck: ${described}${pending.lastError ? `, last error ${pending.lastError.code}: ${pending.lastError.message}` : ""}; fix the cause and run certrelay renew --only ${cert.name}, or drop it with certrelay renew --discard-pending ${cert.name}`
    : due
      ? `${described}; the next certrelay renew continues it`
      : `${described}; not due, so it waits: certrelay renew --force --only ${cert.name} completes it, certrelay renew --discard-pending ${cert.name} drops it`;
  return {
    certificate: cert.name,
    where: "pending",
    status: stuck ? "stuck" : "pending",
    pending: info,
    ...(stuck ? { error: { code: "RENEWAL_STUCK", message: advice } } : {}),
    ...(stuck ? {} : { detail: advice }),
  };
}

function statusFor(daysLeft: number, thresholdDays: number, notAfter: Date, now: Date): CheckStatus {
  if (notAfter.getTime() <= now.getTime()) return "expired";
  return daysLeft <= thresholdDays ? "due" : "ok";
}

async function checkCertificate(cert: ManagedCertificate, renewBeforeDays: number, store: Store, providers: StoreBackedProviders, now: Date): Promise<CheckRow[]> {
  let current;
  try {
    current = await store.getCurrent(cert.secret);
  } catch (error) {
    return [{ certificate: cert.name, where: "store", status: "error", error: errorSummary(error) }];
  }
  let pending: PendingRenewal | undefined;
  try {
    pending = await store.getPending(cert.secret);
  } catch (error) {
    return [{ certificate: cert.name, where: "pending", status: "error", error: errorSummary(error) }];
  }
  if (!current) {
    return [
      { certificate: cert.name, where: "store", status: "missing", error: { code: "STORE_NOT_FOUND", message: `secret ${cert.secret} holds no certificate yet: run certrelay renew` } },
      ...(pending ? [pendingRow(cert, pending, true, now)] : []),
    ];
  }
  // A stored certificate or key that cannot be used fails this certificate only, by field, and says so in the table.
  const stored = checkStoredMaterial(current, cert.secret);
  if ("problem" in stored) {
    return [{ certificate: cert.name, where: "store", status: "error", error: stored.problem }, ...(pending ? [pendingRow(cert, pending, true, now)] : [])];
  }
  const facts = stored.facts;
  const window = renewalWindow(facts, now, renewBeforeDays);
  const rows: CheckRow[] = [
    {
      certificate: cert.name,
      where: "store",
      serial: facts.serial,
      notAfter: facts.notAfter.toISOString(),
      daysLeft: window.daysLeft,
      thresholdDays: window.thresholdDays,
      status: window.due ? (facts.notAfter <= now ? "expired" : "due") : "ok",
    },
  ];
  if (pending) rows.push(pendingRow(cert, pending, window.due, now));
  let targets: Target[];
  try {
    targets = await providers.targetsFor(cert);
  } catch (error) {
    return [...rows, { certificate: cert.name, where: "targets", status: "error", error: errorSummary(error) }];
  }
  for (const target of targets) {
    // the pipeline's inspect step: the copy the target holds, and whether it serves the stored one
    const seen = await inspectTarget(target, { serial: facts.serial, commonName: facts.commonName }, { listCopy: true });
    if (seen.error) {
      rows.push({ certificate: cert.name, where: target.label, status: "error", error: seen.error });
      continue;
    }
    const copy = seen.copy;
    if (!copy) {
      rows.push({ certificate: cert.name, where: target.label, status: "missing", thresholdDays: window.thresholdDays });
      continue;
    }
    const daysLeft = expireInDays(copy.notAfter, now);
    if (seen.verified && !seen.verified.ok) {
      // Holding it is not serving it: a target can list the certificate while presenting another one.
      rows.push({
        certificate: cert.name,
        where: target.label,
        ...(seen.verified.servedSerial ? { serial: seen.verified.servedSerial } : {}),
        thresholdDays: window.thresholdDays,
        status: "drift",
        error: { code: "DRIFT", message: `${seen.verified.detail}; run certrelay deploy` },
      });
      continue;
    }
    rows.push({
      certificate: cert.name,
      where: target.label,
      serial: copy.serial,
      notAfter: copy.notAfter.toISOString(),
      daysLeft,
      thresholdDays: window.thresholdDays,
      status: statusFor(daysLeft, window.thresholdDays, copy.notAfter, now),
      // another serial is "older than store" only when it expires earlier; a later one means the store is behind
      ...(copy.serial !== facts.serial && copy.notAfter.getTime() < facts.notAfter.getTime() ? { stale: true } : {}),
      ...(copy.serial !== facts.serial && copy.notAfter.getTime() >= facts.notAfter.getTime()
        ? { detail: `holds ${copy.serial}, not the stored ${facts.serial}, and it expires no earlier: the store is behind this target (a renewal elsewhere?)` }
        : {}),
    });
  }
  return rows;
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
        limit(() => checkCertificate(cert, renewBeforeDaysFor(run.config, cert), run.store, providers, now).catch((error: unknown): CheckRow[] => [{ certificate: cert.name, where: "store", status: "error", error: errorSummary(error) }])),
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
        r.error ? `${paint(r.status)} ${r.error.code}: ${r.error.message}` : r.detail ? `${paint(r.status)} ${r.detail}` : paint(r.status),
      ]),
      { compact: true, align: ["left", "left", "left", "left", "right", "right", "left"] },
    ),
  );
  const due = rows.filter((r) => r.status !== "ok" && r.status !== "pending").length;
  io.out(due === 0 ? c.green(`all ${rows.length} copies are outside their renewal window`) : c.yellow(`${due} of ${rows.length} copies need attention: run certrelay renew`));
}

export function registerCheck(program: Command, io: CliIo, setExit: (code: number) => void): void {
  addRunOptions(
    program
      .command("check")
      .description("days left of every managed certificate and each target's copy; exit 1 when any is due"),
  )
    .addHelpText("after", "\nExample:\n  $ certrelay check --config certrelay.yml --store-dir .certrelay/store\n  $ certrelay check --aws --json")
    .action(async (flags: RunFlags) => {
      const result = await checkAll(flags, io);
      if (flags.json) io.out(JSON.stringify(result, null, 2));
      else printCheck(result.rows, io);
      setExit(result.ok ? 0 : 1);
    });
}
