import type { ManagedCertificate } from "../config/index.js";
import { CertrelayError, ErrorCodes, InputError, VendorError } from "../errors.js";
import type { CertificateMaterial, Issuer, IssueRequest, Target } from "../model.js";
import type { PendingRenewal } from "../store/index.js";
import { certFacts, generateKeyAndCsr, parseBundle, type CertFacts } from "../x509/index.js";
import { renewalWindow } from "./due.js";
import { renewalReference } from "./reference.js";
import type { CertificateReport, PipelineDeps, Stage, TargetReport } from "./types.js";

/** Thrown out of the pipeline (never caught per certificate) when a checkpoint hook simulates a crash. */
export class CheckpointInterrupt extends Error {
  constructor(readonly stage: Stage, cause: unknown) {
    super(`run interrupted at ${stage}`, { cause });
    this.name = "CheckpointInterrupt";
  }
}

interface Context {
  cert: ManagedCertificate;
  deps: PipelineDeps;
  issuer: Issuer | undefined;
  targets: Target[];
  current: CertificateMaterial | undefined;
  currentFacts: CertFacts | undefined;
  renewBeforeDays: number;
  report: CertificateReport;
}

/**
 * One managed certificate: check -> renew -> store pending -> deploy to every target -> verify -> promote.
 * The current (last good) material is promoted over only after every target verified the new one; any failure
 * leaves it in place, keeps the pending renewal for the next run, and is reported per target.
 */
export async function rotateCertificate(
  cert: ManagedCertificate,
  renewBeforeDays: number,
  deps: PipelineDeps,
): Promise<CertificateReport> {
  const started = performance.now();
  const report: CertificateReport = { name: cert.name, action: "none", due: false, targets: [], durationMs: 0 };
  try {
    const [current, pending] = await Promise.all([deps.store.getCurrent(cert.secret), deps.store.getPending(cert.secret)]);
    const currentFacts = current ? certFacts(current.certificate) : undefined;
    if (currentFacts) describeCurrent(report, currentFacts, deps.clock(), renewBeforeDays);
    const ctx: Context = {
      cert,
      deps,
      issuer: await deps.providers.issuerFor(cert),
      targets: await deps.providers.targetsFor(cert),
      current,
      currentFacts,
      renewBeforeDays,
      report,
    };

    if (!pending && current && ctx.issuer?.renewalAdvice) await followRenewalAdvice(ctx, ctx.issuer, current.certificate);
    if (pending) {
      report.due = true;
      await continueRenewal(ctx, pending);
    } else if (!current) {
      if (!ctx.issuer) {
        throw new InputError(
          ErrorCodes.INPUT_MISSING,
          `secret ${cert.secret} holds no certificate and ${cert.name} has no issuer: seed it (certrelay deploy from a PEM bundle) or configure an issuer`,
          { field: `${cert.name}.secret` },
        );
      }
      report.due = true;
      await startRenewal(ctx);
    } else if ((report.due || deps.force) && ctx.issuer) {
      await startRenewal(ctx);
    } else {
      if (report.due) report.detail = "due for renewal but no issuer is configured; renew it at its source";
      await ensureTargetsHoldCurrent(ctx);
    }
  } catch (error) {
    if (error instanceof CheckpointInterrupt) throw error;
    report.action = "failed";
    report.error = errorSummary(error);
    deps.logger.error("certificate failed", { certificate: cert.name, code: report.error.code, error: report.error.message });
  } finally {
    report.durationMs = Math.round(performance.now() - started);
  }
  return report;
}

/**
 * The CA's own advice (ACME Renewal Information) replaces the days rule when it gives one; an expired certificate
 * is renewed whatever it says. Without advice (or when asking fails) the days rule stands.
 */
async function followRenewalAdvice(ctx: Context, issuer: Issuer, certificate: string): Promise<void> {
  const { deps, report, currentFacts } = ctx;
  const advice = await issuer.renewalAdvice?.(certificate).catch((error: unknown) => {
    deps.logger.warn("renewal advice unavailable; using the days rule", { certificate: ctx.cert.name, error: errorSummary(error).message });
    return undefined;
  });
  if (!advice || !currentFacts) return;
  const now = deps.clock().getTime();
  report.renewAt = advice.renewAt.toISOString();
  report.due = now >= advice.renewAt.getTime() || currentFacts.notAfter.getTime() <= now;
  report.detail = advice.detail;
}

function describeCurrent(report: CertificateReport, facts: CertFacts, now: Date, renewBeforeDays: number): void {
  const window = renewalWindow(facts, now, renewBeforeDays);
  report.serial = facts.serial;
  report.notBefore = facts.notBefore.toISOString();
  report.notAfter = facts.notAfter.toISOString();
  report.daysLeft = window.daysLeft;
  report.thresholdDays = window.thresholdDays;
  report.renewAt = window.renewAt.toISOString();
  report.due = window.due;
}

async function startRenewal(ctx: Context): Promise<void> {
  const { cert, deps, issuer, currentFacts, report } = ctx;
  if (!issuer) return;
  if (deps.dryRun) {
    report.action = "would-renew";
    report.detail = `would request a new certificate from ${issuer.label}`;
    report.targets = ctx.targets.map((t) => ({ target: t.label, provider: t.provider, status: "would-deploy" }));
    return;
  }
  const { commonName, sans } = subjectFor(ctx);
  if (!commonName) {
    throw new InputError(ErrorCodes.INPUT_MISSING, `${cert.name} needs commonName in certrelay.yml for its first issuance`, {
      field: `${cert.name}.commonName`,
    });
  }
  const generated = await generateKeyAndCsr({ keyType: issuer.keyType, keyOptions: issuer.keyOptions, commonName, sans });
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

async function continueRenewal(ctx: Context, pending: PendingRenewal): Promise<void> {
  const { cert, deps, issuer, report } = ctx;
  let next: PendingRenewal = { ...pending, attempts: pending.attempts + 1, deployedTo: [...pending.deployedTo] };
  try {
    if (next.certificate && certFacts(next.certificate).notAfter.getTime() <= deps.clock().getTime()) {
      if (deps.dryRun) {
        report.action = "would-renew";
        report.detail = "the pending renewed certificate expired before every target took it; would issue a new one";
        return;
      }
      next = await restartExpiredRenewal(ctx, next);
    }
    if (!next.certificate) {
      if (!issuer) throw new InputError(ErrorCodes.CONFIG_INVALID, `${cert.name} has a renewal in progress but no issuer in certrelay.yml`, { field: `${cert.name}.issuer` });
      if (backingOff(ctx, next)) return;
      if (deps.dryRun) {
        report.action = "would-renew";
        report.detail = next.orderId ? `would poll order ${next.orderId} at ${issuer.label}` : `would request a certificate from ${issuer.label}`;
        return;
      }
      deps.deadline?.check(`${next.orderId ? "collecting" : "requesting"} ${cert.name} from ${issuer.label}`);
      const issued = await obtainCertificate(ctx, issuer, next);
      if (!issued) return;
    }
    await deployRenewed(ctx, next);
  } catch (error) {
    if (error instanceof CheckpointInterrupt) throw error;
    if (!deps.dryRun) {
      const summary = errorSummary(error);
      const backoffUntil = error instanceof CertrelayError && error.backoffUntil ? { backoffUntil: error.backoffUntil.toISOString() } : {};
      next.lastError = { ...summary, at: deps.clock().toISOString(), ...backoffUntil };
      await deps.store.putPending(cert.secret, next);
    }
    throw error;
  }
}

/**
 * An issuer that asked for a pause (a CA's Retry-After, a failed ACME validation that counts against its limits)
 * is not asked again before then: the run reports the last error and leaves the pending renewal as it is.
 */
function backingOff(ctx: Context, pending: PendingRenewal): boolean {
  const until = pending.lastError?.backoffUntil;
  if (!until || ctx.deps.clock().getTime() >= Date.parse(until)) return false;
  ctx.report.action = "failed";
  ctx.report.error = { code: pending.lastError?.code ?? ErrorCodes.VENDOR_ERROR, message: `not asking the issuer again before ${until}: ${pending.lastError?.message ?? ""}` };
  ctx.deps.logger.warn("issuer backoff in force; renewal not attempted", { certificate: ctx.cert.name, until });
  return true;
}

/**
 * A renewed certificate that expired while its deploy kept failing (short-lived certificates, long outages) is
 * worthless: start over with a fresh key and a new reference, so the issuer opens a new order instead of handing
 * back the expired one.
 */
async function restartExpiredRenewal(ctx: Context, expired: PendingRenewal): Promise<PendingRenewal> {
  const { cert, deps, issuer } = ctx;
  if (!issuer) throw new InputError(ErrorCodes.CONFIG_INVALID, `${cert.name} has a renewal in progress but no issuer in certrelay.yml`, { field: `${cert.name}.issuer` });
  const { commonName, sans } = subjectFor(ctx, expired.certificate ? certFacts(expired.certificate) : undefined);
  const generated = await generateKeyAndCsr({ keyType: issuer.keyType, keyOptions: issuer.keyOptions, commonName, sans });
  const fresh: PendingRenewal = {
    reference: nextReference(expired.reference),
    createdAt: deps.clock().toISOString(),
    privateKey: generated.privateKey,
    csr: generated.csr,
    deployedTo: [],
    attempts: expired.attempts,
  };
  deps.logger.warn("pending renewal expired before it was deployed everywhere; issuing again", { certificate: cert.name });
  await deps.store.putPending(cert.secret, fresh);
  return fresh;
}

function nextReference(reference: string): string {
  const m = /^(.*)\.r(\d+)$/.exec(reference);
  return m ? `${m[1]}.r${Number(m[2]) + 1}` : `${reference}.r2`;
}

/** Issue or resume the order; false while it is still pending at the issuer. */
async function obtainCertificate(ctx: Context, issuer: Issuer, next: PendingRenewal): Promise<boolean> {
  const { cert, deps, report, currentFacts } = ctx;
  const request: IssueRequest = {
    ...issueRequest(ctx, next),
    // the order is on record before the issuer waits on it: a crash from here on resumes it, never orders again
    onOrder: async (orderId) => {
      next.orderId = orderId;
      await deps.store.putPending(cert.secret, next);
      await checkpoint(ctx, "ordered");
    },
  };
  const outcome = next.orderId ? await issuer.resume(next.orderId, request) : await issuer.issue(request, { dryRun: false });
  next.orderId = outcome.orderId;
  if (outcome.state === "pending") {
    delete next.lastError;
    await deps.store.putPending(cert.secret, next);
    report.action = "pending";
    report.detail = `order ${outcome.orderId} at ${issuer.label} is pending: ${outcome.detail}`;
    return false;
  }
  // Validate what came back exactly as user input is validated: the issuer is outside our control.
  const bundle = parseBundle(
    { certificate: outcome.certificate, privateKey: next.privateKey, chain: outcome.chain },
    { now: deps.clock(), allowReorder: true, requireKey: true, fields: { certificate: `${issuer.provider} certificate`, chain: `${issuer.provider} chain` } },
  );
  next.certificate = bundle.material.certificate;
  next.chain = bundle.material.chain;
  delete next.lastError;
  await deps.store.putPending(cert.secret, next);
  deps.logger.info("certificate issued", { certificate: cert.name, serial: bundle.leaf.serial, notAfter: bundle.leaf.notAfter.toISOString(), replaces: currentFacts?.serial });
  await checkpoint(ctx, "issued");
  return true;
}

function issueRequest(ctx: Context, pending: PendingRenewal): IssueRequest {
  const { currentFacts } = ctx;
  return {
    csr: pending.csr,
    ...subjectFor(ctx),
    reference: pending.reference,
    ...(currentFacts ? { previousSerial: currentFacts.serial } : {}),
    ...(ctx.current ? { previousCertificate: ctx.current.certificate } : {}),
  };
}

/** The names a renewal asks for: the config's, else the certificate being replaced (or `fallback`), else CN only. */
function subjectFor(ctx: Context, fallback?: CertFacts): { commonName: string; sans: string[] } {
  const source = ctx.currentFacts ?? fallback;
  const commonName = ctx.cert.commonName ?? source?.commonName ?? "";
  const sans = ctx.cert.sans ?? (source && source.sans.length > 0 ? source.sans : [commonName]);
  return { commonName, sans };
}

async function deployRenewed(ctx: Context, next: PendingRenewal): Promise<void> {
  const { cert, deps, report, targets } = ctx;
  const material: CertificateMaterial = { certificate: next.certificate ?? "", chain: next.chain ?? "", privateKey: next.privateKey };
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
    const result = await deployAndVerify(target, material, facts.serial);
    reports.push(result);
    if (result.status === "failed") continue;
    next.deployedTo.push(key);
    await deps.store.putPending(cert.secret, next);
    await checkpoint(ctx, "target-deployed", target.label);
  }
  report.targets = reports;
  report.previousSerial = ctx.currentFacts?.serial;
  const failed = reports.filter((r) => r.status === "failed");
  if (deps.dryRun) {
    report.action = "would-renew";
    return;
  }
  if (failed.length > 0) {
    // A target cut short by the run's deadline says so: which budget ran out and after how long.
    const timedOut = failed.find((f) => f.error?.code === ErrorCodes.TIMEOUT && deps.deadline?.expired());
    report.action = "failed";
    report.error = {
      code: failed[0]?.error?.code ?? ErrorCodes.VENDOR_ERROR,
      message: `new certificate ${facts.serial} reached ${reports.length - failed.length} of ${reports.length} targets; failed: ${failed.map((f) => f.target).join(", ")}. The current certificate stays in place; the next run retries the rest.${timedOut ? ` ${timedOut.target}: ${timedOut.error?.message ?? ""}` : ""}`,
    };
    next.lastError = { ...report.error, at: deps.clock().toISOString() };
    await deps.store.putPending(cert.secret, next);
    return;
  }
  await checkpoint(ctx, "before-promote");
  await deps.store.promote(cert.secret);
  report.action = "renewed";
  describeCurrent(report, facts, deps.clock(), ctx.renewBeforeDays);
  deps.logger.info("certificate renewed", { certificate: cert.name, serial: facts.serial, previousSerial: report.previousSerial });
}

/** When nothing is due: put the current certificate on any target that does not serve it (drift, new target). */
async function ensureTargetsHoldCurrent(ctx: Context): Promise<void> {
  const { deps, report, targets, current, currentFacts } = ctx;
  if (!current || !currentFacts) return;
  if (currentFacts.notAfter.getTime() <= deps.clock().getTime()) {
    // Never push an expired certificate anywhere; renewing it is the only fix.
    throw new InputError(
      ErrorCodes.CERT_EXPIRED,
      `the certificate in ${ctx.cert.secret} expired on ${currentFacts.notAfter.toISOString()}; configure an issuer for ${ctx.cert.name} or store a valid certificate`,
      { field: `${ctx.cert.name}.secret` },
    );
  }
  const reports: TargetReport[] = [];
  let deployed = 0;
  for (const target of targets) {
    let holds: boolean;
    try {
      holds = (await target.verify(currentFacts.serial)).ok;
    } catch (error) {
      reports.push({ target: target.label, provider: target.provider, status: "failed", error: errorSummary(error) });
      continue;
    }
    if (holds) {
      reports.push({ target: target.label, provider: target.provider, status: "holds-current", serial: currentFacts.serial, expireIn: report.daysLeft });
      continue;
    }
    if (deps.dryRun) {
      reports.push({ target: target.label, provider: target.provider, status: "would-deploy" });
      continue;
    }
    const result = await deployAndVerify(target, current, currentFacts.serial);
    if (result.status !== "failed") deployed += 1;
    reports.push(result);
  }
  report.targets = reports;
  const failed = reports.filter((r) => r.status === "failed");
  if (failed.length > 0) {
    report.action = "failed";
    report.error = { code: failed[0]?.error?.code ?? ErrorCodes.VENDOR_ERROR, message: `could not confirm or deploy the current certificate on: ${failed.map((f) => f.target).join(", ")}` };
  } else if (reports.some((r) => r.status === "would-deploy")) {
    report.action = "would-deploy";
  } else if (deployed > 0) {
    report.action = "deployed";
  }
}

async function deployAndVerify(target: Target, material: CertificateMaterial, serial: string): Promise<TargetReport> {
  const base = { target: target.label, provider: target.provider };
  try {
    const result = await target.deploy(material, { dryRun: false });
    const verified = await target.verify(serial);
    if (!verified.ok) {
      throw new VendorError(
        ErrorCodes.VERIFY_FAILED,
        `${target.label} does not serve certificate ${serial} after deploy${verified.servedSerial ? ` (it serves ${verified.servedSerial})` : ""}: ${verified.detail}`,
        { vendor: target.provider },
      );
    }
    return { ...base, status: result.changed ? "deployed" : "unchanged", serial, expireIn: result.expireIn };
  } catch (error) {
    return { ...base, status: "failed", error: errorSummary(error) };
  }
}

function targetKey(index: number, target: Target): string {
  return `${index}:${target.label}`;
}

async function checkpoint(ctx: Context, stage: Stage, target?: string): Promise<void> {
  if (!ctx.deps.checkpoint) return;
  try {
    await ctx.deps.checkpoint(stage, { certificate: ctx.cert.name, ...(target ? { target } : {}) });
  } catch (error) {
    throw new CheckpointInterrupt(stage, error);
  }
}

export function errorSummary(error: unknown): { code: string; message: string } {
  if (error instanceof CertrelayError) return { code: error.code, message: error.message };
  return { code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
}
