/**
 * EnOS device certificates as certrelay sees them. The issuer obtains a device certificate (apply, or renew of the
 * device's current one) and is safe to call again after a crash: it first looks for a valid certificate already
 * issued for the pending CSR's key. The target is a read-only view of the device: EnOS binds certificates at
 * issuance, so there is nothing to upload.
 */
import { createHash, createPublicKey, X509Certificate } from "node:crypto";
import { CertrelayError, ErrorCodes } from "../../errors.js";
import type {
  CertificateMaterial,
  DeployedCertificate,
  DeployResult,
  IssueOutcome,
  IssueRequest,
  Issuer,
  KeyType,
  Target,
  VerifyResult,
} from "../../model.js";
import {
  certFacts,
  checkCsrForEnos,
  expireInDays,
  inspectCsr,
  normalizeSerial,
  serialToDecimal,
} from "../../x509/index.js";
import type { ProviderContext } from "../context.js";
import { writeOnce } from "../kit/landed.js";
import { EnosClient } from "./client.js";
import type { DeviceCertApplyResultInfo, DeviceCertInfo, DeviceIdentifier, IssueAuthority } from "./types.js";

export interface EnosSettings {
  /** the API gateway, e.g. `https://apim-ppe1.envisioniot.com` */
  endpoint: string;
  orgId: string;
  /** the device: assetId, or productKey + deviceKey */
  assetId?: string;
  productKey?: string;
  deviceKey?: string;
  /** certificate validity in days; EnOS default 730, at most the product's maximum */
  validDays?: number;
  /** RSA (default): RSA-2048 CSR; ECC: P-256 CSR. Any case. */
  issueAuthority?: "RSA" | "ECC";
}

/** Credential keys: `appKey`, `appSecret` (the EnOS application's access key and secret key). */
export type EnosCredentials = { appKey: string; appSecret: string };

const VENDOR = "enos";
const STATUS_VALID = 0;
const STATUS_REVOKED = 1;

interface Resolved {
  endpoint: string;
  device: DeviceIdentifier;
  deviceLabel: string;
  validDays: number | undefined;
  issueAuthority: IssueAuthority;
}

/** certSn goes on the wire as an integer (renew and revoke pages, samples and the Java SDK). */
function certSnNumber(certSN: string): number {
  const n = Number(certSN);
  if (!Number.isSafeInteger(n)) {
    throw new CertrelayError(
      ErrorCodes.VENDOR_ERROR,
      `EnOS listed certSN '${certSN}', which is not an integer; certSn must be sent as one`,
      { vendor: VENDOR },
    );
  }
  return n;
}

function checkValidDays(value: number | undefined, field = "validDays"): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `${field} must be a positive whole number of days (EnOS default is 730, at most the product's maximum)`,
      { field, vendor: VENDOR },
    );
  }
  return value;
}

/** Every setting EnOS would refuse is refused here, before any request. */
function resolve(
  settings: EnosSettings,
  credentials: Partial<EnosCredentials>,
): Resolved & { appKey: string; appSecret: string } {
  const missing = (field: string, fix: string): never => {
    throw new CertrelayError(ErrorCodes.INPUT_MISSING, `enos needs ${field}: ${fix}`, { field, vendor: VENDOR });
  };
  if (!settings.endpoint) missing("endpoint", "set it to the EnOS API gateway address");
  if (!settings.orgId) missing("orgId", "set it to the EnOS organisation id the device belongs to");
  const appKey = credentials.appKey || missing("appKey", "store the EnOS application's access key under appKey");
  const appSecret =
    credentials.appSecret || missing("appSecret", "store the EnOS application's secret key under appSecret");
  const byAsset = Boolean(settings.assetId);
  const byKeys = Boolean(settings.productKey) || Boolean(settings.deviceKey);
  if (byAsset === byKeys) {
    throw new CertrelayError(
      ErrorCodes.CONFIG_INVALID,
      `enos needs the device as assetId, or as productKey and deviceKey${byAsset ? ", not both" : ""}`,
      { field: "assetId", vendor: VENDOR },
    );
  }
  if (byKeys && (!settings.productKey || !settings.deviceKey)) {
    const field = settings.productKey ? "deviceKey" : "productKey";
    throw new CertrelayError(ErrorCodes.CONFIG_INVALID, `enos needs productKey and deviceKey together: add ${field}`, {
      field,
      vendor: VENDOR,
    });
  }
  const authority = (settings.issueAuthority ?? "RSA").toUpperCase();
  if (authority !== "RSA" && authority !== "ECC") {
    throw new CertrelayError(ErrorCodes.INPUT_INVALID, "issueAuthority must be RSA or ECC", {
      field: "issueAuthority",
      vendor: VENDOR,
    });
  }
  const device: DeviceIdentifier = byAsset
    ? { orgId: settings.orgId, assetId: settings.assetId as string }
    : { orgId: settings.orgId, productKey: settings.productKey as string, deviceKey: settings.deviceKey as string };
  return {
    endpoint: settings.endpoint,
    device,
    deviceLabel: byAsset ? `asset ${settings.assetId}` : `device ${settings.productKey}/${settings.deviceKey}`,
    validDays: checkValidDays(settings.validDays),
    issueAuthority: authority,
    appKey,
    appSecret,
  };
}

function spkiOf(pem: string): Buffer {
  return createPublicKey(pem).export({ type: "spki", format: "der" });
}

function certSpki(certPem: string): Buffer | undefined {
  try {
    return new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  } catch {
    return undefined;
  }
}

/** The listed `cert` as a certificate, when it is one (the documented list sample shows a short value instead). */
function pemOf(info: DeviceCertInfo): ReturnType<typeof certFacts> | undefined {
  if (typeof info.cert !== "string" || !info.cert.includes("-----BEGIN CERTIFICATE-----")) return undefined;
  try {
    return certFacts(info.cert);
  } catch {
    return undefined;
  }
}

/** certSN is the certificate's serial in decimal (the apply sample: certSN "32720" on serial 0x7FD0). */
export function serialOfCertSn(certSN: string): string {
  try {
    return normalizeSerial(BigInt(certSN.trim()).toString(16));
  } catch {
    return "";
  }
}

/** Serial and common name from the PEM when the list gave one, else from certSN and `subject`. */
function identify(info: DeviceCertInfo): { serial: string; commonName: string } {
  const facts = pemOf(info);
  if (facts) return { serial: facts.serial, commonName: facts.commonName };
  return {
    serial: serialOfCertSn(info.certSN),
    commonName: /(?:^|[,/\s])CN=([^,/]*)/.exec(info.subject ?? "")?.[1]?.trim() ?? "",
  };
}

function toDeployed(info: DeviceCertInfo, now: Date): DeployedCertificate {
  const notAfter = new Date(info.expireDate);
  return { id: info.certSN, ...identify(info), notAfter, expireIn: expireInDays(notAfter, now) };
}

/**
 * In a provider registry's run (ctx.sessions), one client per EnOS application (endpoint + app key): a fleet's
 * devices share one APIM token and one connection pool instead of a token request and a socket pool per device.
 * The registry closes such a shared client once, after all its users (`shared`); a device's target or issuer closes
 * only a client of its own. (Closing the shared one per device, as a scan that lets go of each device's target once
 * checked would, reopened the pool for every device.)
 */
function clientFor(
  resolved: { endpoint: string; appKey: string; appSecret: string },
  ctx: ProviderContext,
): { client: EnosClient; shared: boolean } {
  const create = () =>
    new EnosClient({ endpoint: resolved.endpoint, appKey: resolved.appKey, appSecret: resolved.appSecret, ctx });
  if (!ctx.sessions) return { client: create(), shared: false };
  // hashed so the map never holds the secret as a readable key
  const key = `enos:${createHash("sha256").update(`${resolved.endpoint}\n${resolved.appKey}\n${resolved.appSecret}`).digest("hex")}`;
  const known = ctx.sessions.get(key);
  if (known instanceof EnosClient) return { client: known, shared: true };
  const client = create();
  ctx.sessions.set(key, client);
  return { client, shared: true };
}

/** The device's certificates, shared by the issuer and the target. */
class EnosDevice {
  readonly client: EnosClient;
  readonly resolved: Resolved;
  /** the client is the registry's, shared by the run's devices of this application: the registry closes it */
  private readonly shared: boolean;
  private caCert: string | undefined;
  private certChainURL: string | undefined;

  constructor(settings: EnosSettings, credentials: Partial<EnosCredentials>, ctx: ProviderContext) {
    const resolved = resolve(settings, credentials);
    this.resolved = resolved;
    ({ client: this.client, shared: this.shared } = clientFor(resolved, ctx));
  }

  /** what a target or issuer closes: its own client, never the shared one */
  async close(): Promise<void> {
    if (!this.shared) await this.client.close();
  }

  list(): Promise<DeviceCertInfo[]> {
    return this.client.list(this.resolved.device);
  }

  /**
   * The chain for a certificate found by listing (a crashed run never saw the apply answer). inferred: without an
   * earlier answer's certChainURL, the gateway's `/enos/CA/cacert/<RSA|ECC>`, after the renew sample's URL form.
   */
  async chain(): Promise<string> {
    this.caCert ??= await this.client.caCertificate(
      this.certChainURL ?? `/enos/CA/cacert/${this.resolved.issueAuthority}`,
    );
    return this.caCert;
  }

  /**
   * The CA of an apply/renew answer: its `caCert`, else the file at its `certChainURL` as given (RSA and ECC
   * certificates come from different CAs, so a chain is never reused across types).
   */
  async chainOf(result: DeviceCertApplyResultInfo): Promise<string> {
    if (result.certChainURL) this.certChainURL = result.certChainURL;
    if (typeof result.caCert === "string" && result.caCert.includes("-----BEGIN CERTIFICATE-----")) {
      this.caCert = result.caCert;
      return result.caCert;
    }
    if (!result.certChainURL) {
      throw new CertrelayError(
        ErrorCodes.VENDOR_ERROR,
        `EnOS answered without caCert and without certChainURL for ${this.resolved.deviceLabel}; the certificate's CA cannot be found`,
        { vendor: VENDOR },
      );
    }
    this.caCert = await this.client.caCertificate(result.certChainURL);
    return this.caCert;
  }
}

/** The device's valid certificate for this key, if EnOS issued one. */
function issuedFor(csrKey: Buffer, certs: DeviceCertInfo[]): DeviceCertInfo | undefined {
  return certs.find((c) => c.certStatus === STATUS_VALID && certSpki(c.cert)?.equals(csrKey));
}

export function createEnosIssuer(settings: EnosSettings, credentials: EnosCredentials, ctx: ProviderContext): Issuer {
  const device = new EnosDevice(settings, credentials, ctx);
  const { issueAuthority, deviceLabel } = device.resolved;
  const keyType: KeyType = issueAuthority === "ECC" ? "ecc" : "rsa";

  /** A valid certificate of this device already certifying the CSR's key: the earlier run's result. */
  async function alreadyIssued(csrKey: Buffer, certs: DeviceCertInfo[]): Promise<IssueOutcome | undefined> {
    const found = issuedFor(csrKey, certs);
    if (!found) return undefined;
    ctx.logger.info("enos certificate for this key already issued; not applying again", {
      certSN: found.certSN,
      device: deviceLabel,
    });
    return { state: "issued", certificate: found.cert, chain: await device.chain(), orderId: found.certSN };
  }

  async function issue(request: IssueRequest): Promise<IssueOutcome> {
    const validDay = checkValidDays(request.validDays) ?? device.resolved.validDays;
    const facts = await inspectCsr(request.csr);
    checkCsrForEnos(facts, issueAuthority);
    const csrKey = spkiOf(facts.publicKeyPem);
    const certs = await device.list();
    const earlier = await alreadyIssued(csrKey, certs);
    if (earlier) return earlier;

    const previous =
      request.previousOrderId ?? (request.previousSerial ? serialToDecimal(request.previousSerial) : undefined);
    // The certificate being replaced; else a valid one whose `cert` is no PEM: possibly what a crashed run obtained
    // for this very key, which list cannot prove. Renewing it with this CSR replaces it either way (a device holds
    // at most one valid certificate) and answers the full certificate.
    const renewable =
      (previous === undefined
        ? undefined
        : certs.find((c) => c.certSN === previous && c.certStatus === STATUS_VALID)) ??
      certs.find((c) => c.certStatus === STATUS_VALID && pemOf(c) === undefined);
    const body = { csr: request.csr, issueAuthority, ...(validDay === undefined ? {} : { validDay }) };
    // Only a valid certificate still bound to the device can be renewed (VENDOR-NOTES); otherwise apply anew.
    const write = () =>
      renewable
        ? device.client.renew(device.resolved.device, { certSn: certSnNumber(renewable.certSN), ...body })
        : device.client.apply(device.resolved.device, body);
    const result = await writeOnce(write, {
      what: `a certificate for this key on ${deviceLabel}`,
      lookup: async () => {
        const found = issuedFor(csrKey, await device.list());
        return found && { cert: found.cert, certSN: found.certSN, caCert: await device.chain(), issueAuthority };
      },
      logger: ctx.logger,
    });
    if (
      !result ||
      typeof result.cert !== "string" ||
      (typeof result.certSN !== "string" && typeof result.certSN !== "number")
    ) {
      throw new CertrelayError(
        ErrorCodes.VENDOR_ERROR,
        `EnOS answered the certificate ${renewable ? "renewal" : "apply"} for ${deviceLabel} without a certificate; list the device's certificates before retrying`,
        { vendor: VENDOR },
      );
    }
    return {
      state: "issued",
      certificate: result.cert,
      chain: await device.chainOf(result),
      orderId: String(result.certSN),
    };
  }

  return {
    provider: "enos",
    label: `enos ${device.resolved.endpoint} ${deviceLabel}`,
    keyType,
    issue,
    // EnOS issues synchronously, so there is nothing to poll: a resumed order is found by the CSR's key, and is
    // issued afresh only when no certificate for that key exists.
    async resume(_orderId: string, request: IssueRequest): Promise<IssueOutcome> {
      const facts = await inspectCsr(request.csr);
      const earlier = await alreadyIssued(spkiOf(facts.publicKeyPem), await device.list());
      return earlier ?? issue(request);
    },
    // A certificate EnOS already bound to the device for this CSR's key (a run that died after the CA answered):
    // collected, never applied for again.
    async lookup(request: IssueRequest): Promise<IssueOutcome | undefined> {
      const facts = await inspectCsr(request.csr);
      return alreadyIssued(spkiOf(facts.publicKeyPem), await device.list());
    },
    close: () => device.close(),
  };
}

export function createEnosTarget(settings: EnosSettings, credentials: EnosCredentials, ctx: ProviderContext): Target {
  const device = new EnosDevice(settings, credentials, ctx);
  const { deviceLabel } = device.resolved;

  return {
    provider: "enos",
    label: `enos ${device.resolved.endpoint} ${deviceLabel}`,
    async *list(): AsyncIterable<DeployedCertificate> {
      const now = ctx.clock();
      // a revoked certificate is no longer held by the device; an expired one still is, until replaced
      for (const info of await device.list()) if (info.certStatus !== STATUS_REVOKED) yield toDeployed(info, now);
    },
    async verify(serial: string): Promise<VerifyResult> {
      const wanted = normalizeSerial(serial);
      const certs = await device.list();
      const valid = certs.find((c) => c.certStatus === STATUS_VALID);
      const servedSerial = valid ? identify(valid).serial || undefined : undefined;
      if (servedSerial === wanted)
        return {
          ok: true,
          servedSerial,
          detail: `${deviceLabel} holds valid certificate ${valid?.certSN} (serial ${wanted})`,
        };
      const detail = valid
        ? `${deviceLabel} holds certificate ${valid.certSN} (serial ${servedSerial}), not serial ${wanted}`
        : `${deviceLabel} holds no valid certificate`;
      return { ok: false, ...(servedSerial ? { servedSerial } : {}), detail };
    },
    async deploy(material: CertificateMaterial): Promise<DeployResult> {
      const facts = certFacts(material.certificate);
      const held = (await device.list()).find(
        (c) => c.certStatus === STATUS_VALID && identify(c).serial === facts.serial,
      );
      if (held) return { ...toDeployed(held, ctx.clock()), changed: false };
      throw new CertrelayError(
        ErrorCodes.VENDOR_REJECTED,
        `EnOS has no certificate upload: a device certificate is bound when EnOS issues it, and ${deviceLabel} does not hold serial ${facts.serial}. Issue the certificate through the enos issuer (issuer provider: enos) for this device instead of deploying it`,
        { vendor: VENDOR, field: "issuer.provider" },
      );
    },
    close: () => device.close(),
  };
}
