/**
 * Apply on a device that obtains its own certificate (a PBX running ACME over DNS validation): the key is made
 * and kept on the device, so this returns where the certificate lives and how long it is valid, never PEM.
 */
import { CertrelayError, ErrorCodes, InputError, isCertrelayError } from "../errors.js";
import { applyForCertificate, toAuthInfoList } from "../providers/yeastar/index.js";
import { pendingResult } from "./apply.js";
import { credentialsFor, type OperationRequest } from "./request.js";
import { rowFor } from "./rows.js";
import { providerContext, type OperationDeps, type OperationResult } from "./types.js";

export async function applyOnDevice(request: OperationRequest, commonName: string, deps: OperationDeps): Promise<OperationResult> {
  const { vendor } = request;
  if (!vendor.dnsProvider) {
    throw new InputError(ErrorCodes.INPUT_MISSING, `input 'dns-provider' is required for operation apply with provider ${vendor.provider}: the DNS provider the device validates the domain with`, { field: "dns-provider" });
  }
  if (!vendor.dnsCredentials || Object.keys(vendor.dnsCredentials).length === 0) {
    throw new InputError(ErrorCodes.INPUT_MISSING, `input 'dns-credentials' is required for operation apply with provider ${vendor.provider}: a JSON object of the DNS provider's parameters`, { field: "dns-credentials" });
  }
  checkDnsInputs(vendor.dnsProvider, vendor.dnsCredentials);
  const credentials = credentialsFor(vendor);
  const label = `${vendor.provider} ${vendor.endpoint}`;
  if (request.dryRun) {
    return {
      operation: "apply", provider: vendor.provider, target: label, status: "would-apply", changed: false, ok: true,
      message: `dry run: would ask ${label} to apply for ${commonName}; nothing was sent`, warnings: [],
      rows: [{ target: label, name: commonName, result: "would-apply" }],
    };
  }
  const outcome = await applyForCertificate(
    { endpoint: vendor.endpoint, ...(vendor.pruneOld === undefined ? {} : { pruneOld: vendor.pruneOld }) },
    credentials,
    providerContext(deps),
    { domain: commonName, dnsProvider: vendor.dnsProvider, authInfo: vendor.dnsCredentials },
  );
  if (outcome.status === "failed") {
    throw new CertrelayError(ErrorCodes.ISSUANCE_FAILED, `${label} could not obtain a certificate for ${commonName}: ${outcome.detail}`, { vendor: vendor.provider });
  }
  if (outcome.status === "pending" || !outcome.notAfter) {
    return pendingResult(vendor.provider, label, outcome.id || outcome.name, outcome.detail, undefined, "the device keeps applying on its own; run operation check later");
  }
  const now = deps.clock();
  const row = rowFor(label, { certificateId: outcome.id, name: commonName, notAfter: outcome.notAfter }, "issued", now, request.renewBeforeDays);
  return {
    operation: "apply", provider: vendor.provider, target: label, status: "issued", changed: true, ok: true,
    message: `${label} obtained a certificate for ${commonName} (id ${outcome.id}), valid until ${outcome.notAfter.toISOString()}`,
    certificateId: outcome.id, notAfter: outcome.notAfter, expireIn: row.daysLeft ?? 0, warnings: [], rows: [row],
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
    throw new InputError(error.code, `input '${field}': ${detail}`, { field, cause: error });
  }
}
