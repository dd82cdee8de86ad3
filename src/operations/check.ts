/**
 * How long until a certificate expires: the one given, or what a target holds. Fails (ok: false) below
 * min-days-left so a scheduled workflow turns red before users see an expired certificate.
 */
import { CertrelayError, ErrorCodes } from "../errors.js";
import { listHeld } from "../pipeline/index.js";
import type { CertificateReport } from "../pipeline/types.js";
import { parseBundle } from "../x509/index.js";
import { BUNDLE_FIELDS } from "./deploy-bundle.js";
import { credentialsFor, isTargetProvider, targetConfigFor, type OperationRequest } from "./request.js";
import { operationRowsFromReport, reportAt } from "./rows.js";
import { providerContext, type CertificateRow, type OperationDeps, type OperationResult } from "./types.js";

function verdict(daysLeft: number, minDaysLeft: number): "ok" | "expiring" {
  return daysLeft < minDaysLeft ? "expiring" : "ok";
}

/** The row of one checked certificate: a view of its report, its result the verdict against min-days-left. */
function rowOf(request: OperationRequest, report: CertificateReport): CertificateRow {
  return operationRowsFromReport(report, verdict(report.daysLeft ?? 0, request.minDaysLeft))[0] as CertificateRow;
}

/** `given`: the certificate came as input (named by its common name), not read from a target. */
function resultFrom(
  request: OperationRequest,
  target: string,
  rows: CertificateRow[],
  best: CertificateRow,
  given?: { commonName: string },
): OperationResult {
  const daysLeft = best.daysLeft ?? 0;
  const status = verdict(daysLeft, request.minDaysLeft);
  const id = best.serial ?? best.certificateId;
  const what = given
    ? `certificate ${given.commonName}${best.serial ? ` (serial ${best.serial})` : ""}`
    : `certificate ${id ?? ""}`.trim() + ` at ${target}`;
  const message =
    status === "ok"
      ? `${what} has ${daysLeft} days left (minimum ${request.minDaysLeft})`
      : `${what} has ${daysLeft} days left, below min-days-left ${request.minDaysLeft}: renew it`;
  return {
    operation: "check",
    provider: request.vendor.provider,
    target,
    status,
    changed: false,
    ok: status === "ok",
    ...(status === "ok" ? {} : { errorCode: ErrorCodes.CERT_EXPIRES_SOON }),
    message,
    ...(best.certificateId ? { certificateId: best.certificateId } : {}),
    ...(best.serial ? { serial: best.serial } : {}),
    ...(best.fingerprint ? { fingerprint: best.fingerprint } : {}),
    ...(best.notBefore ? { notBefore: best.notBefore } : {}),
    ...(best.notAfter ? { notAfter: best.notAfter } : {}),
    expireIn: daysLeft,
    warnings: [],
    rows,
  };
}

export async function checkCertificate(request: OperationRequest, deps: OperationDeps): Promise<OperationResult> {
  const now = deps.clock();
  if (request.bundle.certificate?.trim()) {
    // minDaysLeft 0: an expiring certificate is this operation's answer, not an input error.
    const parsed = parseBundle(
      { certificate: request.bundle.certificate, ...(request.bundle.chain ? { chain: request.bundle.chain } : {}) },
      { now, requireKey: false, minDaysLeft: 0, fields: BUNDLE_FIELDS },
    );
    const leaf = parsed.leaf;
    const label = `certificate ${leaf.commonName}`;
    const row = rowOf(
      request,
      reportAt(
        label,
        request.vendor.provider,
        {
          serial: leaf.serial,
          fingerprint: leaf.fingerprint256,
          notBefore: leaf.notBefore,
          notAfter: leaf.notAfter,
          name: leaf.commonName,
        },
        now,
        request.renewBeforeDays,
      ),
    );
    return resultFrom(request, label, [row], row, { commonName: leaf.commonName });
  }

  if (!isTargetProvider(request.vendor.provider, deps.providers)) {
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      `input 'certificate' is required to check with provider ${request.vendor.provider}: it holds orders, not deployed certificates`,
      { field: "certificate" },
    );
  }
  const config = targetConfigFor(request.vendor, deps.providers);
  const credentials = credentialsFor(request.vendor, deps.providers);
  const wanted = request.apply.commonName?.toLowerCase();
  const target = config.create(credentials, providerContext(deps));
  try {
    // the pipeline's read of the target: what it holds for this name, newest first
    const held = await listHeld(target, wanted);
    if (held.length === 0) {
      const which = wanted ? ` for common-name ${wanted}` : "";
      throw new CertrelayError(
        ErrorCodes.VENDOR_NOT_FOUND,
        `${target.label} holds no certificate${which}: deploy one first, or pass input 'certificate' to check it directly`,
        { field: wanted ? "common-name" : "endpoint" },
      );
    }
    const rows = held.map((deployed) =>
      rowOf(
        request,
        reportAt(
          target.label,
          target.provider,
          {
            certificateId: deployed.id,
            serial: deployed.serial,
            name: deployed.commonName,
            notAfter: deployed.notAfter,
          },
          now,
          request.renewBeforeDays,
        ),
      ),
    );
    // The newest certificate is the one serving; older ones are leftovers the target keeps until pruned.
    const best = rows[0] as CertificateRow;
    return resultFrom(request, target.label, rows, best);
  } finally {
    await target.close();
  }
}
