/**
 * Obtain a certificate from an issuer (EnOS device certificate, reseller create/renew/reissue) or have a PBX apply
 * for one itself over DNS validation. A fresh key is generated unless the caller brings a CSR; the key never
 * leaves this process except as the caller's (masked) output. Waits are bounded by the context's poll window:
 * an order still pending afterwards is reported as pending (not a failure), to be picked up by the next run.
 */
import { CertrelayError, ErrorCodes, InputError, isCertrelayError } from "../errors.js";
import type { IssueOutcome, IssueRequest, Issuer } from "../model.js";
import { renewalReference } from "../pipeline/index.js";
import { createIssuer } from "../providers/registry.js";
import { certFacts, checkCertificateStrength, checkCsrStrength, generateKeyAndCsr, inspectCsr, type CertFacts } from "../x509/index.js";
import { acmeIssuerFor, inActionTerms } from "./acme-apply.js";
import { applyOnDevice } from "./device-apply.js";
import { checkCsrMatchesKey, csrFromKey, readKeyForCsr, type KeyForCsr } from "./csr-from-key.js";
import { credentialsFor, issuerConfigFor, type OperationRequest, type VendorFields } from "./request.js";
import { rowFor } from "./rows.js";
import { providerContext, type OperationDeps, type OperationResult } from "./types.js";
import { reissueOrder } from "./reissue.js";

/** The name a certificate is for: the input, else the device identity an IoT certificate is bound to. */
function commonNameFor(request: OperationRequest): string {
  const name = request.apply.commonName ?? request.vendor.deviceKey ?? request.vendor.assetId;
  if (!name) {
    throw new InputError(ErrorCodes.INPUT_MISSING, `input 'common-name' is required for operation apply with provider ${request.vendor.provider}: the domain the certificate is for`, { field: "common-name" });
  }
  return name;
}

async function csrFor(request: OperationRequest, issuer: Issuer, commonName: string, userKey: KeyForCsr | undefined): Promise<{ csr: string; privateKey?: string; sans: string[] }> {
  const sans = request.apply.sans && request.apply.sans.length > 0 ? request.apply.sans : [commonName];
  if (request.apply.csr?.trim()) {
    const facts = await inspectCsr(request.apply.csr, "csr");
    if (!facts.signatureValid) throw new InputError(ErrorCodes.CSR_INVALID, "input 'csr': its signature does not verify; generate the CSR again", { field: "csr" });
    checkCsrStrength(facts, "csr");
    if (userKey) checkCsrMatchesKey(facts, userKey.key);
    return { csr: request.apply.csr, sans: facts.sans.length > 0 ? facts.sans : sans };
  }
  // The user's key is the certificate's key: build the CSR from it, and return no key (they hold it already).
  if (userKey) return { csr: await csrFromKey(userKey, commonName, sans), sans };
  const generated = await generateKeyAndCsr({ keyType: issuer.keyType, keyOptions: issuer.keyOptions, commonName, sans });
  return { ...generated, sans };
}

function issuedResult(request: OperationRequest, issuer: Issuer, outcome: Extract<IssueOutcome, { state: "issued" }>, privateKey: string | undefined, now: Date): OperationResult {
  let leaf: CertFacts;
  try {
    leaf = certFacts(outcome.certificate, "issued certificate");
  } catch (error) {
    throw new CertrelayError(ErrorCodes.ISSUANCE_FAILED, `${issuer.label} returned a certificate certrelay cannot read; contact the issuer`, { vendor: issuer.provider, cause: error });
  }
  // An issuer is outside our control: what it returns meets the same floor as what a user hands in.
  checkCertificateStrength(outcome.certificate, `${issuer.provider} certificate`);
  const row = rowFor(issuer.label, { certificateId: outcome.orderId, serial: leaf.serial, fingerprint: leaf.fingerprint256, notBefore: leaf.notBefore, notAfter: leaf.notAfter, name: leaf.commonName }, "issued", now, request.renewBeforeDays);
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

export function pendingResult(provider: string, label: string, orderId: string, detail: string, privateKey: string | undefined, hint: string): OperationResult {
  const warning = `order ${orderId} at ${label} is still pending (${detail}); ${hint}`;
  return {
    operation: "apply",
    provider,
    target: label,
    status: "pending",
    changed: true,
    ok: true,
    message: warning,
    certificateId: orderId,
    orderId,
    ...(privateKey ? { privateKey } : {}),
    warnings: [warning],
    rows: [{ target: label, certificateId: orderId, result: "pending", detail }],
  };
}

/** A pending order from an earlier run: poll it, never place a new one (the key stays the one made back then). */
async function collectOrder(request: OperationRequest, issuer: Issuer, commonName: string, orderId: string, deps: OperationDeps): Promise<OperationResult> {
  const sans = request.apply.sans && request.apply.sans.length > 0 ? request.apply.sans : [commonName];
  const outcome = await issuer.resume(orderId, { csr: request.apply.csr ?? "", commonName, sans, reference: request.apply.reference ?? orderId });
  if (outcome.state === "pending") return pendingResult(issuer.provider, issuer.label, outcome.orderId, outcome.detail, undefined, "try again later");
  return issuedResult(request, issuer, outcome, undefined, deps.clock());
}

/**
 * EnOS signs RSA and ECC device certificates with different CAs (issue-authority). A given key picks it; an
 * explicit issue-authority that disagrees with the key is a mistake worth stopping for.
 */
function withKeyAuthority(vendor: VendorFields, key: KeyForCsr): VendorFields {
  if (vendor.provider !== "enos") return vendor;
  const fromKey = key.keyType === "ecc" ? "ECC" : "RSA";
  const given = vendor.issueAuthority?.toUpperCase();
  if (given !== undefined && given !== fromKey) {
    throw new InputError(
      ErrorCodes.INPUT_INVALID,
      `input 'issue-authority' is ${given} but input 'private-key' is an ${key.keyType === "ecc" ? "EC" : "RSA"} key: set issue-authority ${fromKey}, or pass an ${given === "ECC" ? "EC P-256" : "RSA"} key`,
      { field: "issue-authority", vendor: "enos" },
    );
  }
  return { ...vendor, issueAuthority: fromKey };
}

export async function applyCertificate(request: OperationRequest, deps: OperationDeps): Promise<OperationResult> {
  const commonName = commonNameFor(request);
  const ctx = providerContext(deps);
  if (request.vendor.provider === "yeastar") return applyOnDevice(request, commonName, deps);

  const userKey = request.bundle.privateKey?.trim() ? readKeyForCsr(request.bundle.privateKey) : undefined;
  const vendor = userKey ? withKeyAuthority(request.vendor, userKey) : request.vendor;
  // acme: the inputs stand in for the store that keeps its account key (created on first use and handed back)
  const acme = vendor.provider === "acme" ? acmeIssuerFor(vendor, deps) : undefined;
  const config = acme ? acme.config : issuerConfigFor(vendor);
  const credentials = acme ? acme.credentials : credentialsFor(vendor);
  if (request.apply.renewalKind === "reissue" && !request.vendor.certificateId) {
    throw new InputError(ErrorCodes.INPUT_MISSING, "input 'certificate-id' is required with reseller-action reissue: the certificate to reissue", { field: "certificate-id" });
  }
  const issuer = createIssuer(config, credentials, acme ? { ...ctx, store: acme.store } : ctx);
  try {
    if (request.apply.orderId) return await collectOrder(request, issuer, commonName, request.apply.orderId, deps);
    const { csr, privateKey, sans } = await csrFor(request, issuer, commonName, userKey);
    const issueRequest: IssueRequest = {
      csr,
      commonName,
      sans,
      // A re-run of the same workflow run computes the same reference and finds its earlier order.
      reference: request.apply.reference ?? renewalReference(commonName.replace(/[^a-z0-9._-]/gi, "-").toLowerCase(), `${request.vendor.certificateId ?? "new"}:${deps.runId ?? "local"}`),
      ...(request.vendor.certificateId ? { previousOrderId: request.vendor.certificateId } : {}),
      ...(request.vendor.validDays ? { validDays: request.vendor.validDays } : {}),
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
      outcome = request.apply.renewalKind === "reissue" ? await reissueOrder(config, credentials, ctx, issueRequest) : await issuer.issue(issueRequest, { dryRun: false });
    } catch (error) {
      // A re-run of the same run finds the order placed earlier (no second purchase), but a freshly generated key
      // cannot match it: say how to get out, rather than leave the issuer's wording.
      if (acme) throw inActionTerms(error);
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
      return pendingResult(issuer.provider, issuer.label, outcome.orderId, outcome.detail, privateKey, "keep the private-key output (or your csr's key) and collect it later with input order-id");
    }
    return issuedResult(request, issuer, outcome, privateKey, deps.clock());
  } finally {
    await issuer.close();
  }
}
