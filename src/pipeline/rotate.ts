import { randomUUID } from "node:crypto";
import type { ManagedCertificate } from "../config/index.js";
import { CertrelayError, ErrorCodes, InputError, VendorError } from "../errors.js";
import type { CertificateMaterial, Issuer, IssueRequest, Target } from "../model.js";
import type { Lease, PendingRenewal } from "../store/index.js";
import { certFacts, generateKeyAndCsr, parseBundle, type CertFacts } from "../x509/index.js";
import { withCredentialsSecretHint } from "../operations/explain.js";
import { renewalWindow } from "./due.js";
import { renewalReference } from "./reference.js";
import type { CertificateReport, PendingSummary, PipelineDeps, Stage, TargetReport } from "./types.js";

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
  /** a purchase is allowed: the certificate is due (or missing) or the user forced it */
  mayPurchase: boolean;
  /** takes the certificate's lease before the first write; false when another run holds it */
  lease: () => Promise<boolean>;
}

/** A renewal whose reference could not deliver is given up at most this often in one run (each costs lookups). */
const MAX_ABANDON_PER_RUN = 3;
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
  const report: CertificateReport = { name: cert.name, action: "none", due: false, targets: [], durationMs: 0 };
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
    let [current, pending] = await Promise.all([deps.store.getCurrent(cert.secret), deps.store.getPending(cert.secret)]);
    let currentFacts = current ? certFacts(current.certificate) : undefined;
    if (currentFacts) describeCurrent(report, currentFacts, deps.clock(), renewBeforeDays);
    let force = Boolean(deps.force);
    const wantsRenewal = !deps.deployOnly && (pending !== undefined || !current || report.due || force);
    if (wantsRenewal && !deps.dryRun) {
      if (!(await lease())) throw new InProgressElsewhere();
      // Read again under the lease: the run that held it may have promoted or changed the renewal meanwhile.
      const seenSerial = currentFacts?.serial;
      [current, pending] = await Promise.all([deps.store.getCurrent(cert.secret), deps.store.getPending(cert.secret)]);
      currentFacts = current ? certFacts(current.certificate) : undefined;
      if (currentFacts) describeCurrent(report, currentFacts, deps.clock(), renewBeforeDays);
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
      if (!current) throw new InputError(ErrorCodes.STORE_NOT_FOUND, `secret ${cert.secret} holds no certificate yet: run certrelay renew (deploy never buys)`, { field: `${cert.name}.secret` });
      await ensureTargetsHoldCurrent(ctx);
    } else if (pending) {
      report.due = report.due || ctx.mayPurchase;
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
      deps.logger.error("certificate failed", { certificate: cert.name, code: report.error.code, error: report.error.message });
    }
  } finally {
    // A simulated crash releases too: its rotation has ended, exactly as a dead process's lease would expire.
    if (held) await held.release();
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

/** Internal: the lease is held by another run. Never leaves rotateCertificate. */
class InProgressElsewhere extends Error {
  constructor() {
    super("in progress elsewhere");
    this.name = "InProgressElsewhere";
  }
}

export function pendingSummary(pending: PendingRenewal): PendingSummary {
  return {
    reference: pending.reference,
    createdAt: pending.createdAt,
    attempts: pending.attempts,
    ...(pending.orderId ? { orderId: pending.orderId } : {}),
    issued: Boolean(pending.certificate),
    ...(pending.lastError ? { lastError: pending.lastError } : {}),
    abandoned: pending.abandoned?.length ?? 0,
  };
}

/** `renewal certrelay-www-… started 3 days ago (2 attempts, order 7f…)` */
export function describePending(pending: PendingRenewal, now: Date): string {
  const created = Date.parse(pending.createdAt);
  const age = Number.isNaN(created) ? "at an unknown time" : `${formatAge(now.getTime() - created)} ago`;
  const order = pending.orderId ? `, order ${pending.orderId}` : ", no order yet";
  return `renewal ${pending.reference || "(interrupted promotion)"} started ${age} (${pending.attempts} attempt${pending.attempts === 1 ? "" : "s"}${order})`;
}

function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
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
  // (a renewal the CA's advice made due was not known to need the lease when the rotation began)
  if (!(await ctx.lease())) throw new InProgressElsewhere();
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
  const next: PendingRenewal = { ...pending, attempts: pending.attempts + 1, deployedTo: [...pending.deployedTo] };
  try {
    if (next.certificate && certFacts(next.certificate).notAfter.getTime() <= deps.clock().getTime()) {
      if (deps.dryRun) {
        report.action = "would-renew";
        report.detail = "the pending renewed certificate expired before every target took it; would issue a new one";
        return;
      }
      await restartExpiredRenewal(ctx, next);
    }
    if (!next.certificate) {
      if (!issuer) throw new InputError(ErrorCodes.CONFIG_INVALID, `${cert.name} has a renewal in progress but no issuer in certrelay.yml`, { field: `${cert.name}.issuer` });
      if (backingOff(ctx, next)) return;
      if (!next.orderId && !ctx.mayPurchase) {
        // Only a purchase could go on from here, and nobody asked for one (e.g. a failed `renew --force`). An
        // order that run did place (its answer lost) is still collected: that costs nothing more.
        const found = deps.dryRun ? undefined : await lookupOrder(ctx, issuer, next);
        if (typeof found !== "string") {
          await parkRenewal(ctx, found ? next : pending, found?.why);
          return;
        }
        next.orderId = found;
      }
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
      const summary = errorSummary(error, ctx.cert);
      const backoffUntil = error instanceof CertrelayError && error.backoffUntil ? { backoffUntil: error.backoffUntil.toISOString() } : {};
      next.lastError = { code: summary.code, message: summary.message, at: deps.clock().toISOString(), ...backoffUntil };
      await deps.store.putPending(cert.secret, next);
      report.pending = pendingSummary(next);
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

/**
 * A renewed certificate that expired while its deploy kept failing (short-lived certificates, long outages) is
 * worthless: start over with a fresh key and a new reference, so the issuer opens a new order instead of handing
 * back the expired one.
 */
async function restartExpiredRenewal(ctx: Context, expired: PendingRenewal): Promise<void> {
  const { cert, deps } = ctx;
  deps.logger.warn("pending renewal expired before it was deployed everywhere; issuing again", { certificate: cert.name });
  await replaceRenewal(ctx, expired, "its certificate expired before every target took it");
}

/**
 * Give up a renewal's order and reference, in place: a fresh key and the next reference, so the issuer opens a
 * new order instead of handing back one that cannot be used. The reference given up is recorded.
 */
async function replaceRenewal(ctx: Context, renewal: PendingRenewal, reason: string): Promise<void> {
  const { cert, deps, issuer } = ctx;
  if (!issuer) throw new InputError(ErrorCodes.CONFIG_INVALID, `${cert.name} has a renewal in progress but no issuer in certrelay.yml`, { field: `${cert.name}.issuer` });
  const { commonName, sans } = subjectFor(ctx, renewal.certificate ? certFacts(renewal.certificate) : undefined);
  const generated = await generateKeyAndCsr({ keyType: issuer.keyType, keyOptions: issuer.keyOptions, commonName, sans });
  const now = deps.clock().toISOString();
  const abandoned = [...(renewal.abandoned ?? []), { reference: renewal.reference, ...(renewal.orderId ? { orderId: renewal.orderId } : {}), reason, at: now }];
  // keep the record short: the last few are what a person reading `check` needs
  renewal.abandoned = abandoned.slice(-10);
  renewal.reference = nextReference(renewal.reference);
  renewal.createdAt = now;
  renewal.privateKey = generated.privateKey;
  renewal.csr = generated.csr;
  renewal.deployedTo = [];
  delete renewal.orderId;
  delete renewal.certificate;
  delete renewal.chain;
  delete renewal.lastError;
  await deps.store.putPending(cert.secret, renewal);
}

function nextReference(reference: string): string {
  const m = /^(.*)\.r(\d+)$/.exec(reference);
  return m ? `${m[1]}.r${Number(m[2]) + 1}` : `${reference}.r2`;
}

/**
 * Issue or resume the order; false while it is still pending at the issuer (or waiting, not due). An order that
 * can never deliver a certificate for this renewal's key (reissued elsewhere, a raced run's key, cancelled) is
 * abandoned with a new reference instead of being resumed forever.
 */
async function obtainCertificate(ctx: Context, issuer: Issuer, next: PendingRenewal): Promise<boolean> {
  for (let abandonedNow = 0; ; abandonedNow += 1) {
    try {
      return await obtainOnce(ctx, issuer, next);
    } catch (error) {
      if (!isUnusableOrder(error) || abandonedNow >= MAX_ABANDON_PER_RUN) throw error;
      const why = await abandonOrder(ctx, next, error);
      if (!ctx.mayPurchase) {
        await parkRenewal(ctx, next, why);
        return false;
      }
    }
  }
}

/**
 * The id of an order this renewal already placed, found without buying; undefined when there is none; `why` when
 * the order found cannot be collected with this renewal's key, so it was given up for a new reference.
 */
async function lookupOrder(ctx: Context, issuer: Issuer, next: PendingRenewal): Promise<string | { why: string } | undefined> {
  if (!issuer.lookup) return undefined;
  try {
    return (await issuer.lookup(issueRequest(ctx, next)))?.orderId;
  } catch (error) {
    if (!isUnusableOrder(error)) throw error;
    return { why: await abandonOrder(ctx, next, error) };
  }
}

/** Give the renewal's order up for a new reference (recorded in the renewal and logged); says what happened. */
async function abandonOrder(ctx: Context, next: PendingRenewal, error: unknown): Promise<string> {
  const given = { reference: next.reference, orderId: next.orderId };
  await replaceRenewal(ctx, next, `${errorSummary(error).code}: ${errorSummary(error).message}`);
  ctx.deps.logger.warn("renewal order cannot be collected with its key: abandoned, new reference", {
    certificate: ctx.cert.name,
    abandonedReference: given.reference,
    ...(given.orderId ? { orderId: given.orderId } : {}),
    reference: next.reference,
  });
  return `order ${given.orderId ?? `under ${given.reference}`} cannot be collected with this renewal's key, so it was given up (new reference ${next.reference})`;
}

function isUnusableOrder(error: unknown): boolean {
  return error instanceof CertrelayError && (error.code === ErrorCodes.KEY_MISMATCH || error.code === ErrorCodes.ORDER_UNUSABLE);
}

async function obtainOnce(ctx: Context, issuer: Issuer, next: PendingRenewal): Promise<boolean> {
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
    report.pending = pendingSummary(next);
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
    const result = await deployAndVerify(target, material, facts.serial, cert);
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
    // A target cut short by the run's deadline says so (which budget ran out, after how long); a refused login too (which secret to fix).
    const told = failed.find((f) => f.error?.code === ErrorCodes.TIMEOUT && deps.deadline?.expired()) ?? failed.find((f) => f.error?.code === ErrorCodes.AUTH_FAILED);
    report.action = "failed";
    report.error = {
      code: failed[0]?.error?.code ?? ErrorCodes.VENDOR_ERROR,
      ...(failed[0]?.error?.name ? { name: failed[0].error.name } : {}),
      message: `new certificate ${facts.serial} reached ${reports.length - failed.length} of ${reports.length} targets; failed: ${failed.map((f) => f.target).join(", ")}. The current certificate stays in place; the next run retries the rest.${told ? ` ${told.target}: ${told.error?.message ?? ""}` : ""}`,
    };
    next.lastError = { code: report.error.code, message: report.error.message, at: deps.clock().toISOString() };
    await deps.store.putPending(cert.secret, next);
    return;
  }
  await checkpoint(ctx, "before-promote");
  await deps.store.promote(cert.secret);
  report.action = "renewed";
  // `due` says why this run renewed: the new certificate's window must not turn it into "was not due"
  const wasDue = report.due;
  describeCurrent(report, facts, deps.clock(), ctx.renewBeforeDays);
  report.due = wasDue;
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
  // Whether the store still holds this certificate, read once under the lease: while it is held no other run
  // promotes, so one read covers every target that needs a redeploy.
  let stillCurrent: boolean | undefined;
  for (const target of targets) {
    let holds: boolean;
    try {
      holds = (await target.verify(currentFacts.serial)).ok;
    } catch (error) {
      reports.push({ target: target.label, provider: target.provider, status: "failed", error: errorSummary(error, ctx.cert) });
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
    // A target cut short by the run's deadline says so (which budget ran out, after how long); a refused login too (which secret to fix).
    const told = failed.find((f) => f.error?.code === ErrorCodes.TIMEOUT && deps.deadline?.expired()) ?? failed.find((f) => f.error?.code === ErrorCodes.AUTH_FAILED);
    report.error = {
      code: failed[0]?.error?.code ?? ErrorCodes.VENDOR_ERROR,
      ...(failed[0]?.error?.name ? { name: failed[0].error.name } : {}),
      message: `could not confirm or deploy the current certificate on: ${failed.map((f) => f.target).join(", ")}${told ? `. ${told.target}: ${told.error?.message ?? ""}` : ""}`,
    };
  } else if (reports.some((r) => r.status === "would-deploy")) {
    report.action = "would-deploy";
  } else if (deployed > 0) {
    report.action = "deployed";
  }
}

async function deployAndVerify(target: Target, material: CertificateMaterial, serial: string, cert: ManagedCertificate): Promise<TargetReport> {
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
    return { ...base, status: "failed", error: errorSummary(error, cert) };
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

/** `cert`: a config run's certificate, so a refused login names its credentials secret and that secret's fields. */
export function errorSummary(error: unknown, cert?: ManagedCertificate): { code: string; message: string; name?: string } {
  if (error instanceof CertrelayError) return { code: error.code, name: error.name, message: cert ? withCredentialsSecretHint(error, cert) : error.message };
  return { code: "INTERNAL", ...(error instanceof Error ? { name: error.name } : {}), message: error instanceof Error ? error.message : String(error) };
}
