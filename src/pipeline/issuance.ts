/**
 * The issuance step: obtain or resume the certificate of one pending renewal. The caller holds the certificate's
 * lease and has stored the renewal (its key) before calling: every order this step places is then on record
 * before the issuer is waited on, so a crash resumes that order and never buys again. Before buying, an order
 * this renewal already placed is looked up. Returns what happened; the renewal record is updated in place.
 */
import type { ManagedCertificate } from "../config/index.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { CertificateMaterial, Issuer, IssueRequest } from "../model.js";
import type { PendingRenewal } from "../store/index.js";
import { certFacts, generateKeyAndCsr, parseBundle, type CertFacts } from "../x509/index.js";
import { awaitIssuance } from "./poll.js";
import { checkpoint, errorSummary, type ErrorSummary } from "./summary.js";
import type { PipelineDeps } from "./types.js";

/** A renewal whose reference could not deliver is given up at most this often in one run (each costs lookups). */
const MAX_ABANDON_PER_RUN = 3;

export interface IssuanceInput {
  cert: ManagedCertificate;
  deps: PipelineDeps;
  issuer: Issuer;
  /** the certificate being replaced, when there is one */
  current?: CertificateMaterial | undefined;
  currentFacts?: CertFacts | undefined;
  /** a purchase is allowed: the certificate is due (or missing) or the user forced it */
  mayPurchase: boolean;
}

export type Issuance =
  /** the renewal holds its certificate and chain (stored) */
  | { state: "issued" }
  /** the order is still pending at the issuer (stored with its order id) */
  | { state: "pending"; orderId: string; detail: string }
  /** only a purchase nobody asked for could go on: `renewal` is what to show (unchanged, or given up for a new reference) */
  | { state: "parked"; renewal: PendingRenewal; why?: string }
  /** the issuer asked for a pause that is still in force: not asked */
  | { state: "backing-off"; until: string; error: ErrorSummary }
  /** dry run: what would be asked */
  | { state: "would-issue"; detail: string };

/**
 * Obtain or resume `next`'s certificate (`started`: the record as the run found it, shown when parked untouched).
 * Throws what the issuer throws; the caller records it as the renewal's last error.
 */
export async function obtainOrResume(
  input: IssuanceInput,
  next: PendingRenewal,
  started: PendingRenewal = next,
): Promise<Issuance> {
  const { cert, deps, issuer } = input;
  const backoff = backingOff(input, next);
  if (backoff) return backoff;
  if (!next.orderId && !input.mayPurchase) {
    // Only a purchase could go on from here, and nobody asked for one (e.g. a failed `renew --force`). An
    // order that run did place (its answer lost) is still collected: that costs nothing more.
    const found = deps.dryRun ? undefined : await lookupOrder(input, next);
    if (typeof found !== "string")
      return { state: "parked", renewal: found ? next : started, ...(found ? { why: found.why } : {}) };
    next.orderId = found;
  }
  if (deps.dryRun) {
    return {
      state: "would-issue",
      detail: next.orderId
        ? `would poll order ${next.orderId} at ${issuer.label}`
        : `would request a certificate from ${issuer.label}`,
    };
  }
  deps.deadline?.check(`${next.orderId ? "collecting" : "requesting"} ${cert.name} from ${issuer.label}`);
  return obtainCertificate(input, next);
}

/**
 * An issuer that asked for a pause (a CA's Retry-After, a failed domain validation that counts against its limits)
 * is not asked again before then: the run reports the last error and leaves the pending renewal as it is.
 */
function backingOff(input: IssuanceInput, pending: PendingRenewal): Issuance | undefined {
  const until = pending.lastError?.backoffUntil;
  if (!until || input.deps.clock().getTime() >= Date.parse(until)) return undefined;
  input.deps.logger.warn("issuer backoff in force; renewal not attempted", { certificate: input.cert.name, until });
  return {
    state: "backing-off",
    until,
    error: {
      code: pending.lastError?.code ?? ErrorCodes.VENDOR_ERROR,
      message: `not asking the issuer again before ${until}: ${pending.lastError?.message ?? ""}`,
    },
  };
}

/**
 * Issue or resume the order. An order that can never deliver a certificate for this renewal's key (reissued
 * elsewhere, a raced run's key, cancelled) is abandoned with a new reference instead of being resumed forever.
 */
async function obtainCertificate(input: IssuanceInput, next: PendingRenewal): Promise<Issuance> {
  for (let abandonedNow = 0; ; abandonedNow += 1) {
    try {
      return await obtainOnce(input, next);
    } catch (error) {
      if (!isUnusableOrder(error) || abandonedNow >= MAX_ABANDON_PER_RUN) throw error;
      const why = await abandonOrder(input, next, error);
      if (!input.mayPurchase) return { state: "parked", renewal: next, why };
    }
  }
}

/**
 * The id of an order this renewal already placed, found without buying; undefined when there is none; `why` when
 * the order found cannot be collected with this renewal's key, so it was given up for a new reference.
 */
async function lookupOrder(input: IssuanceInput, next: PendingRenewal): Promise<string | { why: string } | undefined> {
  if (!input.issuer.lookup) return undefined;
  try {
    return (await input.issuer.lookup(issueRequest(input, next)))?.orderId;
  } catch (error) {
    if (!isUnusableOrder(error)) throw error;
    return { why: await abandonOrder(input, next, error) };
  }
}

/** Give the renewal's order up for a new reference (recorded in the renewal and logged); says what happened. */
async function abandonOrder(input: IssuanceInput, next: PendingRenewal, error: unknown): Promise<string> {
  const given = { reference: next.reference, orderId: next.orderId };
  await restartRenewal(input, next, `${errorSummary(error).code}: ${errorSummary(error).message}`);
  input.deps.logger.warn("renewal order cannot be collected with its key: abandoned, new reference", {
    certificate: input.cert.name,
    abandonedReference: given.reference,
    ...(given.orderId ? { orderId: given.orderId } : {}),
    reference: next.reference,
  });
  return `order ${given.orderId ?? `under ${given.reference}`} cannot be collected with this renewal's key, so it was given up (new reference ${next.reference})`;
}

function isUnusableOrder(error: unknown): boolean {
  return (
    error instanceof CertrelayError &&
    (error.code === ErrorCodes.KEY_MISMATCH || error.code === ErrorCodes.ORDER_UNUSABLE)
  );
}

/**
 * Give up a renewal's order and reference, in place: a fresh key and the next reference, so the issuer opens a
 * new order instead of handing back one that cannot be used (or a certificate that expired before every target
 * took it). The reference given up is recorded, and the renewal stored.
 */
export async function restartRenewal(input: IssuanceInput, renewal: PendingRenewal, reason: string): Promise<void> {
  const { cert, deps, issuer } = input;
  const { commonName, sans } = subjectFor(input, renewal.certificate ? certFacts(renewal.certificate) : undefined);
  const generated = await generateKeyAndCsr({
    keyType: issuer.keyType,
    keyOptions: issuer.keyOptions,
    commonName,
    sans,
  });
  const now = deps.clock().toISOString();
  const abandoned = [
    ...(renewal.abandoned ?? []),
    { reference: renewal.reference, ...(renewal.orderId ? { orderId: renewal.orderId } : {}), reason, at: now },
  ];
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

async function obtainOnce(input: IssuanceInput, next: PendingRenewal): Promise<Issuance> {
  const { cert, deps, issuer, currentFacts } = input;
  const request: IssueRequest = {
    ...issueRequest(input, next),
    // the order is on record before the issuer waits on it: a crash from here on resumes it, never orders again
    onOrder: async (orderId) => {
      next.orderId = orderId;
      await deps.store.putPending(cert.secret, next);
      await checkpoint(deps.checkpoint, cert.name, "ordered");
    },
  };
  // the issuer answers once per ask; the waiting between asks is the pipeline's one poll loop
  const outcome = await awaitIssuance(issuer, request, next.orderId, deps.providers.poll);
  next.orderId = outcome.orderId;
  if (outcome.state === "pending") {
    delete next.lastError;
    await deps.store.putPending(cert.secret, next);
    return { state: "pending", orderId: outcome.orderId, detail: outcome.detail };
  }
  // Validate what came back exactly as user input is validated: the issuer is outside our control.
  const bundle = parseBundle(
    { certificate: outcome.certificate, privateKey: next.privateKey, chain: outcome.chain },
    {
      now: deps.clock(),
      allowReorder: true,
      requireKey: true,
      fields: { certificate: `${issuer.provider} certificate`, chain: `${issuer.provider} chain` },
    },
  );
  next.certificate = bundle.material.certificate;
  next.chain = bundle.material.chain;
  delete next.lastError;
  await deps.store.putPending(cert.secret, next);
  deps.logger.info("certificate issued", {
    certificate: cert.name,
    serial: bundle.leaf.serial,
    notAfter: bundle.leaf.notAfter.toISOString(),
    replaces: currentFacts?.serial,
  });
  await checkpoint(deps.checkpoint, cert.name, "issued");
  return { state: "issued" };
}

function issueRequest(input: IssuanceInput, pending: PendingRenewal): IssueRequest {
  const { currentFacts } = input;
  return {
    csr: pending.csr,
    ...subjectFor(input),
    reference: pending.reference,
    ...(currentFacts ? { previousSerial: currentFacts.serial } : {}),
    ...(input.current ? { previousCertificate: input.current.certificate } : {}),
  };
}

/** The names a renewal asks for: the config's, else the certificate being replaced (or `fallback`), else CN only. */
export function subjectFor(
  input: Pick<IssuanceInput, "cert" | "currentFacts">,
  fallback?: CertFacts,
): { commonName: string; sans: string[] } {
  const source = input.currentFacts ?? fallback;
  const commonName = input.cert.commonName ?? source?.commonName ?? "";
  const sans = input.cert.sans ?? (source && source.sans.length > 0 ? source.sans : [commonName]);
  return { commonName, sans };
}
