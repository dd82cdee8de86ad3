/**
 * Deploy one certificate bundle to one target and prove it arrived. The bundle and every input are checked before
 * the first request, so a mistake costs nothing remote; a target that already holds the certificate is left alone
 * (`changed: false`).
 */
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { DeployResult, VerifyResult } from "../model.js";
import { deployToTarget, describeWindow, newReport } from "../pipeline/index.js";
import { expireInDays, parseBundle } from "../x509/index.js";
import { credentialsFor, operationsOf, targetConfigFor, type OperationRequest, type ProviderList } from "./request.js";
import { operationRowsFromReport } from "./rows.js";
import { providerContext, type OperationDeps, type OperationResult } from "./types.js";

export const BUNDLE_FIELDS = { certificate: "certificate", privateKey: "private-key", chain: "chain" } as const;

/**
 * What the target takes: no key where the device already holds it; a CA certificate (no key) for a trusted-CA list,
 * where the bundle check must expect a CA, not refuse one.
 */
export function deployTakes(
  request: Pick<OperationRequest, "vendor">,
  providers?: ProviderList,
): { privateKey: boolean; ca: boolean } {
  const takes = operationsOf(request.vendor.provider, providers).deployTakes?.(request.vendor);
  return { privateKey: takes?.privateKey ?? true, ca: takes?.ca ?? false };
}

export async function deployBundle(request: OperationRequest, deps: OperationDeps): Promise<OperationResult> {
  const { bundle, vendor } = request;
  if (!bundle.certificate?.trim()) {
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      "input 'certificate' is required for operation deploy: pass the PEM certificate",
      { field: "certificate" },
    );
  }
  const takes = deployTakes(request, deps.providers);
  const requireKey = takes.privateKey;
  if (requireKey && !bundle.privateKey?.trim()) {
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      `input 'private-key' is required to deploy to ${vendor.provider}: pass the PEM private key of the certificate`,
      { field: "private-key" },
    );
  }
  const now = deps.clock();
  const parsed = parseBundle(
    {
      certificate: bundle.certificate,
      ...(requireKey && bundle.privateKey ? { privateKey: bundle.privateKey } : {}),
      ...(bundle.chain ? { chain: bundle.chain } : {}),
    },
    {
      now,
      requireKey,
      minDaysLeft: request.minDaysLeft,
      fields: BUNDLE_FIELDS,
      ...(takes.ca ? { expectCa: true } : {}),
    },
  );
  const config = targetConfigFor(vendor, deps.providers);
  const credentials = credentialsFor(vendor, deps.providers);

  const target = config.create(credentials, providerContext(deps));
  try {
    const leaf = parsed.leaf;
    // the pipeline's step: deploy then verify, or (dry run) only read what the target serves
    const step = await deployToTarget(target, parsed.material, leaf.serial, { dryRun: request.dryRun });
    const { deployed, verified } = step;
    const verifyFailed = deployed !== undefined && verified !== undefined && !verified.ok;
    // a write or read that failed is the operation's error (the entry point explains it); a failed proof is a result
    if (step.error !== undefined && !verifyFailed) throw step.error;
    const base = {
      operation: "deploy" as const,
      provider: vendor.provider,
      target: target.label,
      certificateId: deployed?.id || undefined,
      serial: leaf.serial,
      fingerprint: leaf.fingerprint256,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      expireIn: deployed?.expireIn ?? expireInDays(leaf.notAfter, now),
      warnings: [...(deployed?.notes ?? [])],
    };
    // the one report of this certificate at its one target; the rows are its view
    const report = newReport(leaf.commonName);
    describeWindow(report, leaf, now, request.renewBeforeDays);
    report.fingerprint = leaf.fingerprint256;
    report.targets = [{ ...step.report, ...(deployed?.id ? { certificateId: deployed.id } : {}) }];
    if (request.dryRun) {
      const status = step.report.status === "would-deploy" ? "would-deploy" : "unchanged";
      const message =
        status === "would-deploy"
          ? `dry run: ${target.label} does not hold certificate ${leaf.serial}; nothing was sent`
          : `dry run: ${target.label} already holds certificate ${leaf.serial}; nothing changed`;
      return { ...base, status, changed: false, ok: true, message, rows: operationRowsFromReport(report, status) };
    }
    const written = deployed as DeployResult;
    const proof = verified as VerifyResult;
    if (verifyFailed) {
      // The upload may already have happened: report it as written (changed) and failed, never as nothing at all.
      const message = `${target.label}: ${proof.detail}`;
      return {
        ...base,
        status: "failed",
        changed: written.changed,
        ok: false,
        errorCode: ErrorCodes.VERIFY_FAILED,
        message,
        rows: operationRowsFromReport(report, "failed", proof.detail),
      };
    }
    const status = written.changed ? "deployed" : "unchanged";
    const message = written.changed
      ? `deployed certificate ${leaf.serial} to ${target.label} and verified it (${proof.detail})`
      : `nothing changed: ${target.label} already holds certificate ${leaf.serial} (${proof.detail})`;
    return {
      ...base,
      status,
      changed: written.changed,
      ok: true,
      message,
      rows: operationRowsFromReport(report, status, proof.detail),
    };
  } finally {
    await target.close();
  }
}
