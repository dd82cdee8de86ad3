/**
 * The two steps on one target: inspect it (what it holds and serves against what the store holds; reads only) and
 * deploy-and-verify (write the material, then prove the target serves it). Both return values and never throw for
 * a vendor failure: the failure is the value, so one bad target never hides the others.
 */
import type { ManagedCertificate } from "../config/index.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { CertificateMaterial, DeployedCertificate, DeployResult, Target, VerifyResult } from "../model.js";
import { errorSummary, type ErrorSummary } from "./summary.js";
import type { TargetReport } from "./types.js";

export interface TargetInspection {
  target: string;
  provider: string;
  /** the target's answer for the stored serial; absent when it was not asked (its listed copy is another) or failed */
  verified?: VerifyResult;
  /** with `listCopy`: the copy the target holds, the stored serial if present, else the newest with the same name */
  copy?: DeployedCertificate;
  /** the target could not be asked */
  error?: ErrorSummary;
}

export interface InspectOptions {
  /** also list what the target holds (for `check`: days left of each copy), not only whether it serves the serial */
  listCopy?: boolean;
  /** the managed certificate, so a refused login names its credentials secret */
  cert?: ManagedCertificate;
  /** runs each vendor read, e.g. under a per-endpoint concurrency limit */
  run?: <T>(task: () => Promise<T>) => Promise<T>;
}

/** Does `target` serve `stored.serial`? Reads only. With `listCopy`, the copy it holds is listed first. */
export async function inspectTarget(
  target: Target,
  stored: { serial: string; commonName?: string },
  options: InspectOptions = {},
): Promise<TargetInspection> {
  const base = { target: target.label, provider: target.provider };
  const run = options.run ?? (<T>(task: () => Promise<T>) => task());
  try {
    if (options.listCopy) {
      const copy = await run(() => deployedCopy(target, stored.serial, stored.commonName ?? ""));
      // a copy of another serial is reported by its listing alone; only the stored serial can be served-checked
      if (!copy || copy.serial !== stored.serial) return { ...base, ...(copy ? { copy } : {}) };
      // Holding it is not serving it: a target can list the certificate while presenting another one.
      return { ...base, copy, verified: await run(() => target.verify(stored.serial)) };
    }
    return { ...base, verified: await run(() => target.verify(stored.serial)) };
  } catch (error) {
    return { ...base, error: errorSummary(error, options.cert) };
  }
}

/** What a target holds (for `commonName` only, case-insensitive, when given), newest expiry first: the one serving. */
export async function listHeld(target: Target, commonName?: string): Promise<DeployedCertificate[]> {
  const wanted = commonName?.toLowerCase();
  const held: DeployedCertificate[] = [];
  for await (const deployed of target.list()) {
    if (wanted === undefined || deployed.commonName.toLowerCase() === wanted) held.push(deployed);
  }
  return held.sort((a, b) => b.notAfter.getTime() - a.notAfter.getTime());
}

/** The copy a target serves of this certificate: the stored serial if present, else the newest with its name. */
async function deployedCopy(
  target: Target,
  serial: string,
  commonName: string,
): Promise<DeployedCertificate | undefined> {
  let newest: DeployedCertificate | undefined;
  for await (const held of target.list()) {
    if (held.serial === serial) return held;
    if (held.commonName.toLowerCase() === commonName.toLowerCase() && (!newest || held.notAfter > newest.notAfter))
      newest = held;
  }
  return newest;
}

export interface Deployment {
  report: TargetReport;
  /** what the target says it wrote (absent in a dry run, or when the deploy itself failed) */
  deployed?: DeployResult;
  /** the target's answer after the deploy, or the dry run's inspection */
  verified?: VerifyResult;
  /** what failed it, as thrown (the report carries its summary) */
  error?: unknown;
}

export interface DeployStepOptions {
  /** the managed certificate, so a refused login names its credentials secret */
  cert?: ManagedCertificate;
  /** inspect only: `unchanged` when the target already serves `serial`, else `would-deploy`; nothing is written */
  dryRun?: boolean;
}

/**
 * Put `material` on `target` and prove it serves `serial`; a failure (of either) is the value, never thrown. The dry
 * run lives here and only here: it reads what the target serves and says what a deploy would change.
 */
export async function deployToTarget(
  target: Target,
  material: CertificateMaterial,
  serial: string,
  options: DeployStepOptions = {},
): Promise<Deployment> {
  const base = { target: target.label, provider: target.provider };
  if (options.dryRun) {
    try {
      const verified = await target.verify(serial);
      return {
        report: { ...base, status: verified.ok ? "unchanged" : "would-deploy", ...(verified.ok ? { serial } : {}) },
        verified,
      };
    } catch (error) {
      return { report: { ...base, status: "failed", error: errorSummary(error, options.cert) }, error };
    }
  }
  let deployed: DeployResult | undefined;
  let verified: VerifyResult | undefined;
  try {
    deployed = await target.deploy(material);
    verified = await target.verify(serial);
    if (!verified.ok) {
      throw new CertrelayError(
        ErrorCodes.VERIFY_FAILED,
        // serving the right certificate but failing for another reason (an untrusted chain): the detail says which
        verified.servedSerial === serial
          ? `${target.label} after deploy: ${verified.detail}`
          : `${target.label} does not serve certificate ${serial} after deploy${verified.servedSerial ? ` (it serves ${verified.servedSerial})` : ""}: ${verified.detail}`,
        { vendor: target.provider },
      );
    }
    return {
      report: { ...base, status: deployed.changed ? "deployed" : "unchanged", serial, expireIn: deployed.expireIn },
      deployed,
      verified,
    };
  } catch (error) {
    return {
      report: { ...base, status: "failed", error: errorSummary(error, options.cert) },
      ...(deployed ? { deployed } : {}),
      ...(verified ? { verified } : {}),
      error,
    };
  }
}

/** Put `material` on `target` and prove it serves `serial`: the target's report row. */
export async function deployAndVerify(
  target: Target,
  material: CertificateMaterial,
  serial: string,
  cert?: ManagedCertificate,
): Promise<TargetReport> {
  return (await deployToTarget(target, material, serial, cert ? { cert } : {})).report;
}
