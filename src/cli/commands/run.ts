/**
 * `certrelay deploy` and `certrelay renew`: the pipeline the Lambda runs, from a terminal.
 * - `renew` checks every certificate, renews what is due (or everything with --force), deploys, verifies and
 *   promotes, exactly like a scheduled run.
 * - `deploy` never buys: it puts the stored certificate on every target that lacks it and finishes renewals
 *   already in progress (their order exists), leaving due certificates for `renew`.
 */
import type { Command } from "commander";
import type { CertrelayConfig, ManagedCertificate } from "../../config/index.js";
import { ErrorCodes } from "../../errors.js";
import { runPipeline, summarize, type CertificateReport, type RunSummary } from "../../pipeline/index.js";
import { StoreBackedProviders } from "../../providers/registry.js";
import type { Store } from "../../store/index.js";
import { addRunOptions, FlagError, runContext, type RunFlags } from "../context.js";
import type { CliIo } from "../output.js";
import { progressLine, summaryLine, summaryTable } from "../report.js";

interface PipelineFlags extends RunFlags {
  only?: string[];
  dryRun?: boolean;
  force?: boolean;
}

/**
 * The config `deploy` runs: certificates with material and no renewal in progress lose their issuer, so the
 * pipeline can only (re)deploy them. Ones with nothing in the store are reported instead of bought.
 */
async function deployOnly(config: CertrelayConfig, store: Store, only: string[] | undefined): Promise<{ config: CertrelayConfig; skipped: CertificateReport[] }> {
  const certificates: ManagedCertificate[] = [];
  const skipped: CertificateReport[] = [];
  for (const cert of config.certificates) {
    if (only && only.length > 0 && !only.includes(cert.name)) continue;
    const [current, pending] = await Promise.all([store.getCurrent(cert.secret), store.getPending(cert.secret)]);
    if (pending) certificates.push(cert);
    else if (current) certificates.push({ ...cert, issuer: undefined });
    else {
      skipped.push({
        name: cert.name,
        action: "failed",
        due: true,
        targets: [],
        error: { code: ErrorCodes.STORE_NOT_FOUND, message: `secret ${cert.secret} holds no certificate: run certrelay renew to issue one (deploy never buys)` },
        durationMs: 0,
      });
    }
  }
  return { config: { ...config, certificates }, skipped };
}

async function runCommand(mode: "deploy" | "renew", flags: PipelineFlags, io: CliIo): Promise<RunSummary> {
  const run = await runContext(flags, io);
  const only = flags.only?.flatMap((n) => n.split(",")).map((n) => n.trim()).filter(Boolean);
  if (only) {
    const unknown = only.filter((n) => !run.config.certificates.some((c) => c.name === n));
    if (unknown.length > 0) {
      throw new FlagError(ErrorCodes.INPUT_INVALID, `--only names unknown certificate(s) ${unknown.join(", ")}; the config has ${run.config.certificates.map((c) => c.name).join(", ")}`, { field: "only" });
    }
  }
  const plan = mode === "deploy" ? await deployOnly(run.config, run.store, only) : { config: run.config, skipped: [] };
  const providers = new StoreBackedProviders(run.store, run.ctx);
  const total = plan.config.certificates.length + plan.skipped.length;
  let done = 0;
  const nameWidth = Math.max(0, ...plan.config.certificates.map((c) => c.name.length), ...plan.skipped.map((r) => r.name.length));
  const show = (report: CertificateReport) => {
    done += 1;
    if (!flags.json) io.out(progressLine(report, done, total, io.colors, nameWidth));
  };
  plan.skipped.forEach(show);
  const summary =
    plan.config.certificates.length === 0
      ? summarize([])
      : await runPipeline(
          plan.config,
          { store: run.store, providers, clock: run.clock, logger: run.logger, dryRun: Boolean(flags.dryRun), force: Boolean(flags.force), deadline: run.deadline },
          { ...(only && mode === "renew" ? { only } : {}), onProgress: (report) => show(report) },
        );
  if (mode === "deploy") {
    for (const report of summary.reports) {
      if (report.due && report.action !== "failed") report.detail = "due for renewal: run certrelay renew";
    }
  }
  return summarize([...plan.skipped, ...summary.reports]);
}

export function registerRun(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const handle = (mode: "deploy" | "renew") => async (flags: PipelineFlags) => {
    const summary = await runCommand(mode, flags, io);
    if (flags.json) {
      io.out(JSON.stringify({ ok: summary.ok, dryRun: Boolean(flags.dryRun), counts: summary.counts, reports: summary.reports }, null, 2));
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
      .option("--force", "renew even certificates that are not due yet"),
  )
    .addHelpText("after", "\nExample:\n  $ certrelay renew --config certrelay.yml --store-dir .certrelay/store\n  $ certrelay renew --only api --force")
    .action(handle("renew"));
}
