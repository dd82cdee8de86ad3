/**
 * `certrelay deploy` and `certrelay renew`: the pipeline the Lambda runs, from a terminal.
 * - `renew` checks every certificate, renews what is due (or everything with --force), deploys, verifies and
 *   promotes, exactly like a scheduled run.
 * - `deploy` never buys and never completes a renewal: it puts the stored (current) certificate on every target
 *   that lacks it; a renewal in progress is reported and left for `renew`, as are due certificates.
 * - `renew --discard-pending NAME` drops a renewal in progress (e.g. one a failed `--force` left behind) under the
 *   certificate's lease, and renews nothing.
 */
import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import type { CertrelayConfig, ManagedCertificate } from "../../config/index.js";
import { ErrorCodes } from "../../errors.js";
import {
  describePending,
  errorSummary,
  runPipeline,
  summarize,
  type CertificateReport,
  type RunSummary,
} from "../../pipeline/index.js";
import { StoreBackedProviders } from "../../providers/registry.js";
import { releaseOnTermination } from "../../shutdown.js";
import type { Store } from "../../store/index.js";
import { addRunOptions, usageError, runContext, type RunFlags } from "../context.js";
import type { CliIo } from "../output.js";
import { checkStoredMaterial } from "../stored-material.js";
import { progressLine, summaryLine, summaryTable } from "../report.js";

interface PipelineFlags extends RunFlags {
  only?: string[];
  dryRun?: boolean;
  force?: boolean;
  discardPending?: string[];
}

/**
 * The config `deploy` runs: certificates with current material (the pipeline runs them deploy-only, so a renewal
 * in progress is reported, never continued). Ones with nothing in the store are reported instead of bought.
 */
async function deployOnly(
  config: CertrelayConfig,
  store: Store,
  only: string[] | undefined,
): Promise<{ config: CertrelayConfig; skipped: CertificateReport[] }> {
  const certificates: ManagedCertificate[] = [];
  const skipped: CertificateReport[] = [];
  for (const cert of config.certificates) {
    if (only && only.length > 0 && !only.includes(cert.name)) continue;
    const fail = (error: { code: string; message: string }): void => {
      skipped.push({ name: cert.name, action: "failed", due: true, targets: [], error, durationMs: 0 });
    };
    let current;
    try {
      current = await store.getCurrent(cert.secret);
    } catch (error) {
      // a corrupt entry fails this certificate (the store names the field); the others still deploy
      fail(errorSummary(error));
      continue;
    }
    if (current) {
      // a key that does not belong to its certificate shows here, dry run or not, before anything is written
      const stored = checkStoredMaterial(current, cert.secret, cert.name);
      if ("problem" in stored) fail(stored.problem);
      else certificates.push({ ...cert, issuer: undefined });
    } else {
      skipped.push({
        name: cert.name,
        action: "failed",
        due: true,
        targets: [],
        error: {
          code: ErrorCodes.STORE_NOT_FOUND,
          message: `secret ${cert.secret} holds no certificate: run certrelay renew to issue one (deploy never buys)`,
        },
        durationMs: 0,
      });
    }
  }
  return { config: { ...config, certificates }, skipped };
}

async function runCommand(mode: "deploy" | "renew", flags: PipelineFlags, io: CliIo): Promise<RunSummary> {
  const run = await runContext(flags, io);
  const only = flags.only
    ?.flatMap((n) => n.split(","))
    .map((n) => n.trim())
    .filter(Boolean);
  if (only) {
    const unknown = only.filter((n) => !run.config.certificates.some((c) => c.name === n));
    if (unknown.length > 0) {
      throw usageError(
        ErrorCodes.INPUT_INVALID,
        `--only names unknown certificate(s) ${unknown.join(", ")}; the config has ${run.config.certificates.map((c) => c.name).join(", ")}`,
        { field: "only" },
      );
    }
  }
  const plan = mode === "deploy" ? await deployOnly(run.config, run.store, only) : { config: run.config, skipped: [] };
  const providers = new StoreBackedProviders(run.store, run.ctx);
  const release = releaseOnTermination(() => providers.close());
  // renew --only runs the named certificates only: count those, so the progress reads [1/1], not [1/40]
  const total = (mode === "renew" && only ? only.length : plan.config.certificates.length) + plan.skipped.length;
  let done = 0;
  const nameWidth = Math.max(
    0,
    ...plan.config.certificates.map((c) => c.name.length),
    ...plan.skipped.map((r) => r.name.length),
  );
  const show = (report: CertificateReport) => {
    done += 1;
    if (!flags.json) io.out(progressLine(report, done, total, io.colors, nameWidth));
  };
  plan.skipped.forEach(show);
  let summary: RunSummary;
  try {
    summary =
      plan.config.certificates.length === 0
        ? summarize([])
        : await runPipeline(
            plan.config,
            {
              store: run.store,
              providers,
              clock: run.clock,
              logger: run.logger,
              dryRun: Boolean(flags.dryRun),
              force: Boolean(flags.force),
              deadline: run.deadline,
              deployOnly: mode === "deploy",
            },
            { ...(only && mode === "renew" ? { only } : {}), onProgress: (report) => show(report) },
          );
  } finally {
    release();
  }
  if (mode === "deploy") {
    for (const report of summary.reports) {
      if (!report.due || report.action === "failed") continue;
      // deploy hands the pipeline no issuer (it never buys): "no issuer" is only true when the config has none
      const hasIssuer = run.config.certificates.some((c) => c.name === report.name && c.issuer !== undefined);
      if (hasIssuer && report.detail?.includes("no issuer")) report.detail = undefined;
      report.detail =
        report.detail ??
        (hasIssuer
          ? "due for renewal: run certrelay renew (deploy never buys)"
          : "due for renewal but no issuer is configured; renew it at its source");
    }
  }
  return summarize([...plan.skipped, ...summary.reports]);
}

/** `renew --discard-pending NAME...`: drop each named renewal in progress, under its lease; renew nothing. */
async function discardCommand(flags: PipelineFlags, io: CliIo): Promise<RunSummary> {
  const run = await runContext(flags, io);
  const names = (flags.discardPending ?? [])
    .flatMap((n) => n.split(","))
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !run.config.certificates.some((c) => c.name === n));
  if (unknown.length > 0) {
    throw usageError(
      ErrorCodes.INPUT_INVALID,
      `--discard-pending names unknown certificate(s) ${unknown.join(", ")}; the config has ${run.config.certificates.map((c) => c.name).join(", ")}`,
      { field: "discard-pending" },
    );
  }
  const reports: CertificateReport[] = [];
  for (const name of names) {
    const cert = run.config.certificates.find((c) => c.name === name)!;
    const report: CertificateReport = { name, action: "none", due: false, targets: [], durationMs: 0 };
    reports.push(report);
    const attempt = await run.store.acquireLease(cert.secret, {
      owner: `cli-discard-${randomUUID()}`,
      now: run.clock(),
      ttlMs: 60_000,
    });
    if (!attempt.acquired) {
      report.action = "skipped";
      report.detail = `in progress elsewhere: ${attempt.holder} holds this certificate; nothing was discarded, try again when it is done`;
      continue;
    }
    try {
      const pending = await run.store.getPending(cert.secret);
      if (!pending) {
        report.detail = "no renewal in progress: nothing to discard";
        continue;
      }
      if (!flags.dryRun) await run.store.clearPending(cert.secret);
      report.detail = `${flags.dryRun ? "would discard" : "discarded"} ${describePending(pending, run.clock())}${pending.orderId ? `; order ${pending.orderId} stays at the issuer (cancel it there if it was bought)` : ""}`;
      run.logger.info("pending renewal discarded", { certificate: name, reference: pending.reference });
    } finally {
      await attempt.lease.release();
    }
  }
  return summarize(reports);
}

export function registerRun(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const handle = (mode: "deploy" | "renew") => async (flags: PipelineFlags) => {
    const summary =
      mode === "renew" && flags.discardPending ? await discardCommand(flags, io) : await runCommand(mode, flags, io);
    if (flags.json) {
      io.out(
        JSON.stringify(
          { ok: summary.ok, dryRun: Boolean(flags.dryRun), counts: summary.counts, reports: summary.reports },
          null,
          2,
        ),
      );
    } else {
      if (summary.reports.length > 0) io.out(summaryTable(summary.reports));
      io.out(`${flags.dryRun ? "dry run, nothing written: " : ""}${summaryLine(summary, io.colors)}`);
    }
    setExit(summary.ok ? 0 : 1);
  };

  addRunOptions(
    program
      .command("deploy")
      .description("put the stored certificates on every target that lacks them, and verify (never buys)")
      .option("--only <names...>", "only these certificates (by name; repeat or comma-separate)")
      .option("--dry-run", "read everything, write nothing: show what would be deployed"),
  )
    .addHelpText("after", "\nExample:\n  $ certrelay deploy --config certrelay.yml --only www --dry-run")
    .action(handle("deploy"));

  addRunOptions(
    program
      .command("renew")
      .description("renew what is due (min of renewBeforeDays and 1/3 of the lifetime), deploy, verify, promote")
      .option("--only <names...>", "only these certificates (by name; repeat or comma-separate)")
      .option("--dry-run", "read everything, write nothing: show what would be renewed")
      .option("--force", "renew even certificates that are not due yet")
      .option(
        "--discard-pending <names...>",
        "drop the renewal in progress of these certificates (nothing is renewed)",
      ),
  )
    .addHelpText(
      "after",
      "\nExample:\n  $ certrelay renew --config certrelay.yml --store-dir .certrelay/store\n  $ certrelay renew --only api --force\n  $ certrelay renew --discard-pending api",
    )
    .action(handle("renew"));
}
