import { randomUUID } from "node:crypto";
import type { ManagedCertificate } from "../config/index.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { CertificateMaterial, Issuer, Target } from "../model.js";
import type { Lease, PendingRenewal } from "../store/index.js";
import { certFacts, generateKeyAndCsr, type CertFacts } from "../x509/index.js";
import { obtainOrResume, restartRenewal, subjectFor, type IssuanceInput } from "./issuance.js";
import { renewalReference } from "./reference.js";
import { describeWindow, newReport, targetsFailure, toldCause } from "./report.js";
import { CheckpointInterrupt, checkpoint, describePending, errorSummary, pendingSummary } from "./summary.js";
import { deployAndVerify, inspectTarget } from "./target.js";
import type { CertificateReport, PipelineDeps, TargetReport } from "./types.js";

interface Context {
  cert: ManagedCertificate;
  deps: PipelineDeps;
  issuer: Issuer | undefined;
  targets: Target[];
  current: CertificateMaterial | undefined;
  currentFacts: CertFacts | undefined;
  renewBeforeDays: number;
  report: CertificateReport;
  /** a purchase is allowed: the certificate is due (or missing) or the user forced it */
  mayPurchase: boolean;
  /** takes the certificate's lease before the first write; false when another run holds it */
  lease: () => Promise<boolean>;
}

const DEFAULT_LEASE_TTL_MS = 15 * 60_000;

/**
 * One managed certificate: check -> renew -> store pending -> deploy to every target -> verify -> promote.
 * The current (last good) material is promoted over only after every target verified the new one; any failure
 * leaves it in place, keeps the pending renewal for the next run, and is reported per target.
 *
 * Every write (store, purchase, upload) happens under the certificate's lease, taken once a write is needed and
 * released at the end; a certificate whose lease another run holds is skipped as "in progress elsewhere". After
 * taking the lease the store is read again, so the decision rests on what the previous holder left.
 */
export async function rotateCertificate(
  cert: ManagedCertificate,
  renewBeforeDays: number,
  deps: PipelineDeps,
): Promise<CertificateReport> {
  const started = performance.now();
  const report = newReport(cert.name);
  let held: Lease | undefined;
  let busy: { holder: string; expiresAt?: string } | undefined;
  const lease = async (): Promise<boolean> => {
    if (held) return true;
    if (busy) return false;
    const attempt = await deps.store.acquireLease(cert.secret, {
      // unique per rotation even when two runs share a run id (a redelivered message, a retried invocation)
      owner: `${deps.runId ?? "run"}:${randomUUID().slice(0, 8)}`,
      now: deps.clock(),
      ttlMs: deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
    });
    if (attempt.acquired) held = attempt.lease;
    else busy = { holder: attempt.holder, ...(attempt.expiresAt ? { expiresAt: attempt.expiresAt } : {}) };
    return attempt.acquired;
  };
  try {
    let [current, pending] = await Promise.all([
      deps.store.getCurrent(cert.secret),
      deps.store.getPending(cert.secret),
    ]);
    let currentFacts = current ? certFacts(current.certificate) : undefined;
    if (currentFacts) describeWindow(report, currentFacts, deps.clock(), renewBeforeDays);
    let force = Boolean(deps.force);
    const wantsRenewal = !deps.deployOnly && (pending !== undefined || !current || report.due || force);
    if (wantsRenewal && !deps.dryRun) {
      if (!(await lease())) throw new InProgressElsewhere();
      // Read again under the lease: the run that held it may have promoted or changed the renewal meanwhile.
      const seenSerial = currentFacts?.serial;
      [current, pending] = await Promise.all([deps.store.getCurrent(cert.secret), deps.store.getPending(cert.secret)]);
      currentFacts = current ? certFacts(current.certificate) : undefined;
      if (currentFacts) describeWindow(report, currentFacts, deps.clock(), renewBeforeDays);
      if (force && currentFacts && seenSerial !== undefined && currentFacts.serial !== seenSerial) {
        // Another run renewed it while this one waited: that is the renewal --force asked for; buying again is not.
        force = false;
        report.detail = `renewed by another run meanwhile (${seenSerial} -> ${currentFacts.serial}); not forced again`;
      }
    }
    const ctx: Context = {
      cert,
      deps,
      issuer: deps.deployOnly ? undefined : await deps.providers.issuerFor(cert),
      targets: await deps.providers.targetsFor(cert),
      current,
      currentFacts,
      renewBeforeDays,
      report,
      mayPurchase: !current || report.due || force,
      lease,
    };

    if (!pending && current && ctx.issuer?.renewalAdvice && !deps.deployOnly) {
      await followRenewalAdvice(ctx, ctx.issuer, current.certificate);
      ctx.mayPurchase = ctx.mayPurchase || report.due;
    }
    if (pending && deps.deployOnly) {
      report.pending = pendingSummary(pending);
      report.detail = `${describePending(pending, deps.clock())}; deploy never continues a renewal: run certrelay renew`;
      if (!current)
        throw new CertrelayError(
          ErrorCodes.STORE_NOT_FOUND,
          `secret ${cert.secret} holds no certificate yet: run certrelay renew (deploy never buys)`,
          { field: `${cert.name}.secret` },
        );
      await ensureTargetsHoldCurrent(ctx);
    } else if (pending) {
      report.due = report.due || ctx.mayPurchase;
      await continueRenewal(ctx, pending);
    } else if (!current) {
      if (!ctx.issuer) {
        throw new CertrelayError(
          ErrorCodes.INPUT_MISSING,
          `secret ${cert.secret} holds no certificate and ${cert.name} has no issuer: seed it (certrelay deploy from a PEM bundle) or configure an issuer`,
          { field: `${cert.name}.secret` },
        );
      }
      report.due = true;
      await startRenewal(ctx);
    } else if ((report.due || force) && ctx.issuer) {
      await startRenewal(ctx);
    } else {
      if (report.due) report.detail = "due for renewal but no issuer is configured; renew it at its source";
      await ensureTargetsHoldCurrent(ctx);
    }
  } catch (error) {
    if (error instanceof CheckpointInterrupt) throw error;
    if (error instanceof InProgressElsewhere) {
      report.action = "skipped";
      report.targets = [];
      delete report.error;
      report.detail = `in progress elsewhere: ${busy?.holder ?? "another run"} holds this certificate${busy?.expiresAt ? ` until ${busy.expiresAt}` : ""}; this run left it alone`;
      deps.logger.info("certificate skipped: in progress elsewhere", { certificate: cert.name });
    } else {
      report.action = "failed";
      report.error = errorSummary(error, cert);
      deps.logger.error("certificate failed", {
        certificate: cert.name,
        code: report.error.code,
        error: report.error.message,
      });
    }
  } finally {
    // A simulated crash releases too: its rotation has ended, exactly as a dead process's lease would expire.
    if (held) await held.release();
    report.durationMs = Math.round(performance.now() - started);
  }
  return report;
}

/**
 * The CA's own advice (renewal information, RFC 9773) replaces the days rule when it gives one; an expired certificate
 * is renewed whatever it says. Without advice (or when asking fails) the days rule stands.
 */
async function followRenewalAdvice(ctx: Context, issuer: Issuer, certificate: string): Promise<void> {
  const { deps, report, currentFacts } = ctx;
  const advice = await issuer.renewalAdvice?.(certificate).catch((error: unknown) => {
    deps.logger.warn("renewal advice unavailable; using the days rule", {
      certificate: ctx.cert.name,
      error: errorSummary(error).message,
    });
    return undefined;
  });
  if (!advice || !currentFacts) return;
  const now = deps.clock().getTime();
  report.renewAt = advice.renewAt.toISOString();
  report.due = now >= advice.renewAt.getTime() || currentFacts.notAfter.getTime() <= now;
  report.detail = advice.detail;
}

/** Internal: the lease is held by another run. Never leaves rotateCertificate. */
class InProgressElsewhere extends Error {
  constructor() {
    super("in progress elsewhere");
    this.name = "InProgressElsewhere";
  }
}

async function startRenewal(ctx: Context): Promise<void> {
  const { cert, deps, issuer, currentFacts, report } = ctx;
  if (!issuer) return;
  // (a certificate keyType its issuer does not make was refused when certrelay.yml was read)
  if (deps.dryRun) {
    report.action = "would-renew";
    report.detail = `would request a new certificate from ${issuer.label}`;
    report.targets = ctx.targets.map((t) => ({ target: t.label, provider: t.provider, status: "would-deploy" }));
    return;
  }
  // (a renewal the CA's advice made due was not known to need the lease when the rotation began)
  if (!(await ctx.lease())) throw new InProgressElsewhere();
  const { commonName, sans } = subjectFor(ctx);
  if (!commonName) {
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      `${cert.name} needs commonName in certrelay.yml for its first issuance`,
      {
        field: `${cert.name}.commonName`,
      },
    );
  }
  const generated = await generateKeyAndCsr({
    keyType: issuer.keyType,
    keyOptions: issuer.keyOptions,
    commonName,
    sans,
  });
  const pending: PendingRenewal = {
    reference: renewalReference(cert.name, currentFacts?.serial),
    createdAt: deps.clock().toISOString(),
    privateKey: generated.privateKey,
    csr: generated.csr,
    deployedTo: [],
    attempts: 0,
  };
  // The key is stored before any purchase: an order whose key was lost would be money thrown away.
  await deps.store.putPending(cert.secret, pending);
  await continueRenewal(ctx, pending);
}

/** The step's view of this rotation: what it needs to obtain or resume the certificate. */
function issuanceInput(ctx: Context, issuer: Issuer): IssuanceInput {
  return {
    cert: ctx.cert,
    deps: ctx.deps,
    issuer,
    current: ctx.current,
    currentFacts: ctx.currentFacts,
    mayPurchase: ctx.mayPurchase,
  };
}

function noIssuer(cert: ManagedCertificate): CertrelayError {
  return new CertrelayError(
    ErrorCodes.CONFIG_INVALID,
    `${cert.name} has a renewal in progress but no issuer in certrelay.yml`,
    { field: `${cert.name}.issuer` },
  );
}

async function continueRenewal(ctx: Context, pending: PendingRenewal): Promise<void> {
  const { cert, deps, issuer, report } = ctx;
  const next: PendingRenewal = { ...pending, attempts: pending.attempts + 1, deployedTo: [...pending.deployedTo] };
  try {
    if (next.certificate && certFacts(next.certificate).notAfter.getTime() <= deps.clock().getTime()) {
      if (deps.dryRun) {
        report.action = "would-renew";
        report.detail = "the pending renewed certificate expired before every target took it; would issue a new one";
        return;
      }
      // A renewed certificate that expired while its deploy kept failing (short-lived certificates, long outages)
      // is worthless: start over with a fresh key and a new reference, so the issuer opens a new order.
      if (!issuer) throw noIssuer(cert);
      deps.logger.warn("pending renewal expired before it was deployed everywhere; issuing again", {
        certificate: cert.name,
      });
      await restartRenewal(issuanceInput(ctx, issuer), next, "its certificate expired before every target took it");
    }
    if (!next.certificate) {
      if (!issuer) throw noIssuer(cert);
      const got = await obtainOrResume(issuanceInput(ctx, issuer), next, pending);
      switch (got.state) {
        case "backing-off":
          report.action = "failed";
          report.error = got.error;
          return;
        case "parked":
          await parkRenewal(ctx, got.renewal, got.why);
          return;
        case "would-issue":
          report.action = "would-renew";
          report.detail = got.detail;
          return;
        case "pending":
          report.action = "pending";
          report.pending = pendingSummary(next);
          report.detail = `order ${got.orderId} at ${issuer.label} is pending: ${got.detail}`;
          return;
        case "issued":
          break;
      }
    }
    await deployRenewed(ctx, next);
  } catch (error) {
    if (error instanceof CheckpointInterrupt) throw error;
    if (!deps.dryRun) {
      const summary = errorSummary(error, ctx.cert);
      const backoffUntil =
        error instanceof CertrelayError && error.backoffUntil ? { backoffUntil: error.backoffUntil.toISOString() } : {};
      next.lastError = {
        code: summary.code,
        message: summary.message,
        at: deps.clock().toISOString(),
        ...backoffUntil,
      };
      await deps.store.putPending(cert.secret, next);
      report.pending = pendingSummary(next);
    }
    throw error;
  }
}

/**
 * A renewal that needs a purchase while the certificate is not due waits: it is shown, never completed, until
 * the certificate comes due or the user forces it again. The current certificate is still kept on every target.
 */
async function parkRenewal(ctx: Context, pending: PendingRenewal, why?: string): Promise<void> {
  const { cert, deps, report } = ctx;
  report.pending = pendingSummary(pending);
  const renewAt = report.renewAt ? ` (due ${report.renewAt.slice(0, 10)})` : "";
  await ensureTargetsHoldCurrent(ctx);
  const parked =
    `${why ? `${why}; ` : ""}${describePending(pending, deps.clock())} waits: ${cert.name} is not due${renewAt}, so nothing is bought. ` +
    `\`certrelay renew --force --only ${cert.name}\` completes it now; \`certrelay renew --discard-pending ${cert.name}\` drops it`;
  report.detail = report.detail ? `${report.detail}; ${parked}` : parked;
  deps.logger.info("pending renewal not due: left waiting", { certificate: cert.name, reference: pending.reference });
}

async function deployRenewed(ctx: Context, next: PendingRenewal): Promise<void> {
  const { cert, deps, report, targets } = ctx;
  const material: CertificateMaterial = {
    certificate: next.certificate ?? "",
    chain: next.chain ?? "",
    privateKey: next.privateKey,
  };
  const facts = certFacts(material.certificate);
  const reports: TargetReport[] = [];
  for (const [index, target] of targets.entries()) {
    const key = targetKey(index, target);
    if (next.deployedTo.includes(key)) {
      reports.push({ target: target.label, provider: target.provider, status: "deployed", serial: facts.serial });
      continue;
    }
    if (deps.dryRun) {
      reports.push({ target: target.label, provider: target.provider, status: "would-deploy" });
      continue;
    }
    deps.deadline?.check(`deploying ${cert.name} to ${target.label}`);
    const result = await deployAndVerify(target, material, facts.serial, cert);
    reports.push(result);
    if (result.status === "failed") continue;
    next.deployedTo.push(key);
    await deps.store.putPending(cert.secret, next);
    await checkpoint(deps.checkpoint, cert.name, "target-deployed", target.label);
  }
  report.targets = reports;
  report.previousSerial = ctx.currentFacts?.serial;
  const failed = reports.filter((r) => r.status === "failed");
  if (deps.dryRun) {
    report.action = "would-renew";
    return;
  }
  if (failed.length > 0) {
    report.action = "failed";
    report.error = targetsFailure(
      failed,
      deps.deadline,
      (told) =>
        `new certificate ${facts.serial} reached ${reports.length - failed.length} of ${reports.length} targets; failed: ${failed.map((f) => f.target).join(", ")}. The current certificate stays in place; the next run retries the rest.${told ? ` ${toldCause(told)}` : ""}`,
    );
    next.lastError = { code: report.error.code, message: report.error.message, at: deps.clock().toISOString() };
    await deps.store.putPending(cert.secret, next);
    return;
  }
  await checkpoint(ctx.deps.checkpoint, ctx.cert.name, "before-promote");
  await deps.store.promote(cert.secret);
  report.action = "renewed";
  // `due` says why this run renewed: the new certificate's window must not turn it into "was not due"
  const wasDue = report.due;
  describeWindow(report, facts, deps.clock(), ctx.renewBeforeDays);
  report.due = wasDue;
  deps.logger.info("certificate renewed", {
    certificate: cert.name,
    serial: facts.serial,
    previousSerial: report.previousSerial,
  });
}

/** When nothing is due: put the current certificate on any target that does not serve it (drift, new target). */
async function ensureTargetsHoldCurrent(ctx: Context): Promise<void> {
  const { deps, report, targets, current, currentFacts } = ctx;
  if (!current || !currentFacts) return;
  if (currentFacts.notAfter.getTime() <= deps.clock().getTime()) {
    // Never push an expired certificate anywhere; renewing it is the only fix.
    throw new CertrelayError(
      ErrorCodes.CERT_EXPIRED,
      `the certificate in ${ctx.cert.secret} expired on ${currentFacts.notAfter.toISOString()}; configure an issuer for ${ctx.cert.name} or store a valid certificate`,
      { field: `${ctx.cert.name}.secret` },
    );
  }
  const reports: TargetReport[] = [];
  let deployed = 0;
  // Whether the store still holds this certificate, read once under the lease: while it is held no other run
  // promotes, so one read covers every target that needs a redeploy.
  let stillCurrent: boolean | undefined;
  for (const target of targets) {
    const seen = await inspectTarget(target, { serial: currentFacts.serial }, { cert: ctx.cert });
    if (seen.error) {
      reports.push({ target: target.label, provider: target.provider, status: "failed", error: seen.error });
      continue;
    }
    if (seen.verified?.ok) {
      reports.push({
        target: target.label,
        provider: target.provider,
        status: "holds-current",
        serial: currentFacts.serial,
        expireIn: report.daysLeft,
      });
      continue;
    }
    if (deps.dryRun) {
      reports.push({ target: target.label, provider: target.provider, status: "would-deploy" });
      continue;
    }
    if (!(await ctx.lease())) throw new InProgressElsewhere();
    if (stillCurrent === undefined) {
      const latest = await deps.store.getCurrent(ctx.cert.secret);
      stillCurrent = latest !== undefined && certFacts(latest.certificate).serial === currentFacts.serial;
    }
    if (!stillCurrent) {
      // Another run promoted a new certificate while this one looked: deploying the old one would undo it.
      reports.push({ target: target.label, provider: target.provider, status: "skipped" });
      continue;
    }
    const result = await deployAndVerify(target, current, currentFacts.serial, ctx.cert);
    if (result.status !== "failed") deployed += 1;
    reports.push(result);
  }
  report.targets = reports;
  const failed = reports.filter((r) => r.status === "failed");
  if (failed.length > 0) {
    report.action = "failed";
    report.error = targetsFailure(
      failed,
      deps.deadline,
      (told) =>
        `could not confirm or deploy the current certificate on: ${failed.map((f) => f.target).join(", ")}${told ? `. ${toldCause(told)}` : ""}`,
    );
  } else if (reports.some((r) => r.status === "would-deploy")) {
    report.action = "would-deploy";
  } else if (deployed > 0) {
    report.action = "deployed";
  }
}

function targetKey(index: number, target: Target): string {
  return `${index}:${target.label}`;
}
