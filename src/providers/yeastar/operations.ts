/**
 * The PBX's additions to the entry points' operations. Apply: the PBX obtains its own certificate (ACME over DNS
 * validation) and keeps the key, so this returns where the certificate lives and how long it is valid, never PEM.
 * Deploy: the trusted-CA list takes CA certificates, without a key.
 */
import { CertrelayError, ErrorCodes, isCertrelayError } from "../../errors.js";
import { flagField, objectField, textField, type VendorFields } from "../../operations/fields.js";
import type { OperationRequest } from "../../operations/request.js";
import { pendingResult } from "../../operations/results.js";
import { rowFor } from "../../operations/rows.js";
import { providerContext, type OperationDeps, type OperationResult } from "../../operations/types.js";
import type { ApplyKit, ProviderOperations } from "../kit/operations.js";
import { applyForCertificate, toAuthInfoList } from "./index.js";

async function applyOnDevice(request: OperationRequest, deps: OperationDeps, kit: ApplyKit): Promise<OperationResult> {
  const { vendor } = request;
  const { commonName } = kit;
  const dnsProvider = textField(vendor, "dnsProvider");
  const dnsCredentials = objectField(vendor, "dnsCredentials");
  if (!dnsProvider) {
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      `input 'dns-provider' is required for operation apply with provider ${vendor.provider}: the DNS provider the device validates the domain with`,
      { field: "dns-provider" },
    );
  }
  if (!dnsCredentials || Object.keys(dnsCredentials).length === 0) {
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      `input 'dns-credentials' is required for operation apply with provider ${vendor.provider}: a JSON object of the DNS provider's parameters`,
      { field: "dns-credentials" },
    );
  }
  checkDnsInputs(dnsProvider, dnsCredentials);
  const credentials = kit.credentials();
  const label = `${vendor.provider} ${vendor.endpoint}`;
  if (request.dryRun) {
    return {
      operation: "apply",
      provider: vendor.provider,
      target: label,
      status: "would-apply",
      changed: false,
      ok: true,
      message: `dry run: would ask ${label} to apply for ${commonName}; nothing was sent`,
      warnings: [],
      rows: [{ target: label, name: commonName, result: "would-apply" }],
    };
  }
  const pruneOld = flagField(vendor, "pruneOld");
  const outcome = await applyForCertificate(
    { endpoint: vendor.endpoint, ...(pruneOld === undefined ? {} : { pruneOld }) },
    credentials,
    providerContext(deps),
    { domain: commonName, dnsProvider, authInfo: dnsCredentials },
  );
  if (outcome.status === "failed") {
    throw new CertrelayError(
      ErrorCodes.ISSUANCE_FAILED,
      `${label} could not obtain a certificate for ${commonName}: ${outcome.detail}`,
      { vendor: vendor.provider },
    );
  }
  if (outcome.status === "pending" || !outcome.notAfter) {
    return pendingResult(
      vendor.provider,
      label,
      outcome.id || outcome.name,
      outcome.detail,
      undefined,
      "the device keeps applying on its own; run operation check later",
    );
  }
  const now = deps.clock();
  const row = rowFor(
    label,
    { certificateId: outcome.id, name: commonName, notAfter: outcome.notAfter },
    "issued",
    now,
    request.renewBeforeDays,
  );
  return {
    operation: "apply",
    provider: vendor.provider,
    target: label,
    status: "issued",
    changed: true,
    ok: true,
    message: `${label} obtained a certificate for ${commonName} (id ${outcome.id}), valid until ${outcome.notAfter.toISOString()}`,
    certificateId: outcome.id,
    notAfter: outcome.notAfter,
    expireIn: row.daysLeft ?? 0,
    warnings: [],
    rows: [row],
  };
}

/** The DNS parameters, checked before any request and reported by the Action's input names. */
function checkDnsInputs(dnsProvider: string, dnsCredentials: Record<string, string | number | boolean>): void {
  try {
    toAuthInfoList(dnsProvider, dnsCredentials);
  } catch (error) {
    if (!isCertrelayError(error)) throw error;
    const field = error.field === "dnsProvider" ? "dns-provider" : "dns-credentials";
    const detail = error.message.replace(/^[^:]*: /, "");
    throw new CertrelayError(error.code, `input '${field}': ${detail}`, { field, cause: error });
  }
}

/** The trusted-CA list holds CA certificates and no key of ours. */
function isTrustedList(fields: VendorFields): boolean {
  return textField(fields, "certificateType") === "trusted";
}

export const yeastarOperations: ProviderOperations = {
  apply: applyOnDevice,
  deployTakes: (fields) => (isTrustedList(fields) ? { privateKey: false, ca: true } : { privateKey: true }),
};
