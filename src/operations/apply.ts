/**
 * Obtain a certificate from an issuer (a device certificate, a purchased certificate created, renewed or reissued),
 * or have a vendor that keeps its own key apply for one itself (its `operations.apply`). A fresh key is generated
 * unless the caller brings a CSR; the key never leaves this process except as the caller's (masked) output. Waits are bounded by the context's poll window:
 * an order still pending afterwards is reported as pending (not a failure), to be picked up by the next run.
 */
import { isIP } from "node:net";
import { CertrelayError, ErrorCodes, isCertrelayError } from "../errors.js";
import type { IssueOutcome, IssueRequest, Issuer } from "../model.js";
import { awaitIssuance, renewalReference } from "../pipeline/index.js";
import { isHostName } from "../providers/kit/config.js";
import type { ProviderOperations } from "../providers/kit/operations.js";
import {
  certFacts,
  checkCertificateStrength,
  checkCsrStrength,
  generateKeyAndCsr,
  inspectCsr,
  type CertFacts,
} from "../x509/index.js";
import { checkCsrMatchesKey, csrFromKey, readKeyForCsr, type KeyForCsr } from "./csr-from-key.js";
import { numberField, textField } from "./fields.js";
import {
  credentialsFor,
  definitionOf,
  issuerConfigFor,
  operationsOf,
  preparedIssuer,
  type OperationRequest,
} from "./request.js";
import { pendingResult } from "./results.js";
import { operationRowsFromReport, reportAt } from "./rows.js";
import { providerContext, type CertificateRow, type OperationDeps, type OperationResult } from "./types.js";

/** The name a certificate is for: the input, else the vendor's default (the identity a device certificate is bound to). */
function commonNameFor(request: OperationRequest, ops: ProviderOperations): string {
  const name = request.apply.commonName ?? ops.defaultCommonName?.(request.vendor);
  if (!name) {
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      `input 'common-name' is required for operation apply with provider ${request.vendor.provider}: the domain the certificate is for`,
      { field: "common-name" },
    );
  }
  return name;
}

/**
 * The names a given CSR asks for follow the rule common-name and sans follow (certrelay.yml's host names; IP
 * addresses too, which a CSR can carry): an issuer that takes any text would otherwise order, and charge for, a
 * certificate no client accepts. Names are counted, not repeated.
 */
function checkCsrNames(facts: { commonName: string; sans: string[] }, field: string): void {
  const names = [...(facts.commonName ? [facts.commonName] : []), ...facts.sans];
  const bad = names.findIndex((name) => isIP(name) === 0 && !isHostName(name));
  if (bad < 0) return;
  throw new CertrelayError(
    ErrorCodes.CSR_INVALID,
    `input '${field}': name ${bad + 1} of ${names.length} in the CSR (common name first, then its SANs) is not a host name like www.example.com or *.example.com; make the CSR again with host names only (e.g. certrelay csr --cn www.example.com)`,
    { field },
  );
}

async function csrFor(
  request: OperationRequest,
  issuer: Issuer,
  commonName: string,
  userKey: KeyForCsr | undefined,
): Promise<{ csr: string; privateKey?: string; sans: string[] }> {
  const sans = request.apply.sans && request.apply.sans.length > 0 ? request.apply.sans : [commonName];
  if (request.apply.csr?.trim()) {
    const facts = await inspectCsr(request.apply.csr, "csr");
    if (!facts.signatureValid)
      throw new CertrelayError(
        ErrorCodes.CSR_INVALID,
        "input 'csr': its signature does not verify; generate the CSR again",
        { field: "csr" },
      );
    checkCsrStrength(facts, "csr");
    checkCsrNames(facts, "csr");
    if (userKey) checkCsrMatchesKey(facts, userKey.key);
    return { csr: request.apply.csr, sans: facts.sans.length > 0 ? facts.sans : sans };
  }
  // The user's key is the certificate's key: build the CSR from it, and return no key (they hold it already).
  if (userKey) return { csr: await csrFromKey(userKey, commonName, sans), sans };
  const generated = await generateKeyAndCsr({
    keyType: issuer.keyType,
    keyOptions: issuer.keyOptions,
    commonName,
    sans,
  });
  return { ...generated, sans };
}

function issuedResult(
  request: OperationRequest,
  issuer: Issuer,
  outcome: Extract<IssueOutcome, { state: "issued" }>,
  privateKey: string | undefined,
  now: Date,
): OperationResult {
  let leaf: CertFacts;
  try {
    leaf = certFacts(outcome.certificate, "issued certificate");
  } catch (error) {
    throw new CertrelayError(
      ErrorCodes.ISSUANCE_FAILED,
      `${issuer.label} returned a certificate certrelay cannot read; contact the issuer`,
      { vendor: issuer.provider, cause: error },
    );
  }
  // An issuer is outside our control: what it returns meets the same floor as what a user hands in.
  checkCertificateStrength(outcome.certificate, `${issuer.provider} certificate`);
  const report = reportAt(
    issuer.label,
    issuer.provider,
    {
      certificateId: outcome.orderId,
      serial: leaf.serial,
      fingerprint: leaf.fingerprint256,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      name: leaf.commonName,
    },
    now,
    request.renewBeforeDays,
  );
  const row = operationRowsFromReport(report, "issued")[0] as CertificateRow;
  return {
    operation: "apply",
    provider: issuer.provider,
    target: issuer.label,
    status: "issued",
    changed: true,
    ok: true,
    message: `issued certificate ${leaf.serial} for ${leaf.commonName} (order ${outcome.orderId}), valid until ${leaf.notAfter.toISOString()}`,
    certificateId: outcome.orderId,
    serial: leaf.serial,
    fingerprint: leaf.fingerprint256,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    expireIn: row.daysLeft ?? 0,
    certificate: leaf.pem,
    chain: outcome.chain,
    ...(privateKey ? { privateKey } : {}),
    orderId: outcome.orderId,
    warnings: [],
    rows: [row],
  };
}

/** A pending order from an earlier run: poll it, never place a new one (the key stays the one made back then). */
async function collectOrder(
  request: OperationRequest,
  issuer: Issuer,
  commonName: string,
  orderId: string,
  deps: OperationDeps,
): Promise<OperationResult> {
  const sans = request.apply.sans && request.apply.sans.length > 0 ? request.apply.sans : [commonName];
  const outcome = await awaitIssuance(
    issuer,
    { csr: request.apply.csr ?? "", commonName, sans, reference: request.apply.reference ?? orderId },
    orderId,
    deps,
  );
  if (outcome.state === "pending")
    return pendingResult(issuer.provider, issuer.label, outcome.orderId, outcome.detail, undefined, "try again later");
  return issuedResult(request, issuer, outcome, undefined, deps.clock());
}

export async function applyCertificate(request: OperationRequest, deps: OperationDeps): Promise<OperationResult> {
  const ops = operationsOf(request.vendor.provider, deps.providers);
  const commonName = commonNameFor(request, ops);
  const ctx = providerContext(deps);
  // a vendor that obtains its own certificate (a PBX keeps its key) does the whole apply
  if (ops.apply)
    return ops.apply(request, deps, { commonName, credentials: () => credentialsFor(request.vendor, deps.providers) });

  const userKey = request.bundle.privateKey?.trim() ? readKeyForCsr(request.bundle.privateKey) : undefined;
  const vendor = userKey && ops.withKey ? ops.withKey(request.vendor, userKey) : request.vendor;
  // e.g. the inputs stand in for the store that keeps an account key (created on first use and handed back)
  const built = ops.actionIssuer?.(vendor, deps);
  const definition = definitionOf(vendor.provider, deps.providers);
  const prepared =
    built && definition ? preparedIssuer(definition, built.config) : issuerConfigFor(vendor, deps.providers);
  const credentials = built ? built.credentials : credentialsFor(vendor, deps.providers);
  const reissue = ops.reissue?.wanted(vendor) ? ops.reissue : undefined;
  reissue?.check(request);
  const issuer = prepared.create(credentials, built?.store ? { ...ctx, store: built.store } : ctx);
  try {
    if (request.apply.orderId) return await collectOrder(request, issuer, commonName, request.apply.orderId, deps);
    const { csr, privateKey, sans } = await csrFor(request, issuer, commonName, userKey);
    // the existing order a renewal continues, and a lifetime, where the vendor takes them
    const previousOrderId = textField(request.vendor, "certificateId");
    const validDays = numberField(request.vendor, "validDays");
    const issueRequest: IssueRequest = {
      csr,
      commonName,
      sans,
      // A re-run of the same workflow run computes the same reference and finds its earlier order.
      reference:
        request.apply.reference ??
        renewalReference(
          commonName.replace(/[^a-z0-9._-]/gi, "-").toLowerCase(),
          `${previousOrderId ?? "new"}:${deps.runId ?? "local"}`,
        ),
      ...(previousOrderId ? { previousOrderId } : {}),
      ...(validDays ? { validDays } : {}),
    };
    if (request.dryRun) {
      return {
        operation: "apply",
        provider: issuer.provider,
        target: issuer.label,
        status: "would-apply",
        changed: false,
        ok: true,
        message: `dry run: would apply to ${issuer.label} for ${commonName}; nothing was sent`,
        warnings: [],
        rows: [{ target: issuer.label, name: commonName, result: "would-apply" }],
      };
    }
    let outcome: IssueOutcome;
    try {
      // the issuer answers once; the pipeline's poll loop waits within the poll window (wait-seconds bounds it too)
      outcome = await awaitIssuance(
        issuer,
        issueRequest,
        reissue ? () => reissue.run(prepared.entry, credentials, ctx, issueRequest) : undefined,
        deps,
      );
    } catch (error) {
      // A re-run of the same run finds the order placed earlier (no second purchase), but a freshly generated key
      // cannot match it: say how to get out, rather than leave the issuer's wording.
      if (ops.inActionTerms) throw ops.inActionTerms(error);
      if (privateKey && isCertrelayError(error) && error.code === ErrorCodes.KEY_MISMATCH) {
        throw new CertrelayError(
          ErrorCodes.KEY_MISMATCH,
          `an earlier attempt of this run already placed order ${issueRequest.reference} with another key (nothing was bought twice): use that attempt's private-key output, or set input 'client-reference' to place a new order`,
          { field: "client-reference", vendor: issuer.provider, cause: error },
        );
      }
      throw error;
    }
    if (outcome.state === "pending") {
      return pendingResult(
        issuer.provider,
        issuer.label,
        outcome.orderId,
        outcome.detail,
        privateKey,
        "keep the private-key output (or your csr's key) and collect it later with input order-id",
      );
    }
    return issuedResult(request, issuer, outcome, privateKey, deps.clock());
  } finally {
    await issuer.close();
  }
}
