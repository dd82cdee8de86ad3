/**
 * The SwiftFederation CDN as a certrelay Target: upload once (checked by serial first), attach to a service
 * domain, list in pages, verify what the HTTPS edge actually serves.
 */
import { PollWindow } from "../../deadline.js";
import { CertrelayError, ErrorCodes } from "../../errors.js";
import type { CertificateMaterial, DeployedCertificate, DeployResult, Target, VerifyResult } from "../../model.js";
import { certFacts, normalizeSerial, parsePrivateKey, serialFromDecimal, toPkcs1Pem } from "../../x509/index.js";
import type { ProviderContext } from "../context.js";
import { writeOnce } from "../kit/landed.js";
import { SfdClient } from "./client.js";
import { probeEdge } from "./edge-probe.js";
import type { SfdCertificate } from "./types.js";

export interface CdnTargetSettings {
  /** API base, e.g. `https://api.swiftfederation.com` */
  endpoint: string;
  /** the CDN domain to check by SNI in verify(), and to attach the certificate to when serviceId is set */
  verifyHost?: string;
  /** `host:port` to connect to for verify(); default `<verifyHost>:443` */
  verifyAddress?: string;
  /** CDN service to attach the uploaded certificate to (domain = verifyHost) */
  serviceId?: string;
  /** @deprecated ignored: the CDN's list has no paging (it takes no parameters and answers every record) */
  pageSize?: number;
}

/** Credential keys: `accessKeyId`, `accessKeySecret`. */
export type CdnCredentials = Record<string, string>;

const DEFAULT_VERIFY_TIMEOUT_MS = 10_000;

function requireCredential(credentials: CdnCredentials, key: "accessKeyId" | "accessKeySecret"): string {
  const value = credentials[key];
  if (!value) {
    // the message names both spellings; `field` is the credentials key, which the Action reports as its input
    const input = key === "accessKeyId" ? "access-key-id" : "access-key-secret";
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      `cdn target needs ${input} (${key} in the credentials secret): set it to the SwiftFederation access key`,
      { field: key, vendor: "cdn" },
    );
  }
  return value;
}

/** Timestamps leniently: the spec's `yyyy-MM-dd'T'HH:mm:ss'Z'`, with milliseconds (VENDOR-NOTES), a space for T, no zone (UTC), or compact. */
export function parseSfdTimestamp(value: string, field: string): Date {
  let text = value.trim().replace(" ", "T");
  const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(text);
  if (compact) text = `${compact[1]}-${compact[2]}-${compact[3]}T${compact[4]}:${compact[5]}:${compact[6]}Z`;
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += "Z";
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new CertrelayError(
      ErrorCodes.VENDOR_ERROR,
      `SwiftFederation sent an unreadable ${field} timestamp; report this CDN answer`,
      { vendor: "cdn" },
    );
  }
  return new Date(t);
}

/** serialNumber is decimal per the spec's example; accept hex (with letters or colons) too rather than misread it. */
export function serialFromWire(serialNumber: string): string {
  const s = serialNumber.trim();
  if (/^\d+$/.test(s)) return serialFromDecimal(s);
  return normalizeSerial(s);
}

/** The endpoint without any user:password it may carry, for labels and logs. */
function printableEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = "";
    url.password = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return "(invalid endpoint)";
  }
}

function toDeployed(record: SfdCertificate): DeployedCertificate {
  return {
    id: String(record.id),
    serial: serialFromWire(String(record.serialNumber)),
    commonName: record.commonName,
    notAfter: parseSfdTimestamp(record.validTo, "validTo"),
    expireIn: record.expireIn,
  };
}

/**
 * Verification through the API, for a CDN target without verify-host: the list must hold a record with the new
 * serial and a positive `expireIn`. Takes records already read, so a fleet scan can check many certificates
 * against one list per account instead of listing once per certificate.
 */
export function verifyInRecords(records: Iterable<DeployedCertificate>, serial: string): VerifyResult {
  const want = normalizeSerial(serial);
  let found: DeployedCertificate | undefined;
  for (const record of records) {
    if (record.serial === want && (!found || Number(record.id) > Number(found.id))) found = record;
  }
  if (!found) return { ok: false, detail: `certificate ${want} is not in the CDN's certificate list` };
  if (found.expireIn === undefined || found.expireIn <= 0) {
    return {
      ok: false,
      servedSerial: want,
      detail: `certificate ${want} is on the CDN (record ${found.id}) but the CDN reports it expired (expireIn ${found.expireIn ?? "missing"})`,
    };
  }
  return {
    ok: true,
    servedSerial: want,
    detail: `certificate ${want} is on the CDN (record ${found.id}, expireIn ${found.expireIn} days); the edge was not probed: set verify-host (and verify-address) to check what the edge serves`,
  };
}

export function createCdnTarget(
  settings: CdnTargetSettings,
  credentials: CdnCredentials,
  ctx: ProviderContext,
): Target {
  if (!settings.endpoint)
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      "cdn target needs endpoint: set it to the SwiftFederation API base URL",
      { field: "endpoint", vendor: "cdn" },
    );
  if (!/^https?:\/\/[^/]/.test(settings.endpoint) || !URL.canParse(settings.endpoint)) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      "cdn target endpoint is not an http(s) URL: set it like https://api.swiftfederation.com",
      { field: "endpoint", vendor: "cdn" },
    );
  }
  if (settings.serviceId && !settings.verifyHost) {
    throw new CertrelayError(
      ErrorCodes.INPUT_MISSING,
      "cdn target with service-id needs verify-host: the domain to attach the certificate to",
      { field: "verifyHost", vendor: "cdn" },
    );
  }
  const client = new SfdClient({
    endpoint: settings.endpoint,
    key: {
      accessKeyId: requireCredential(credentials, "accessKeyId"),
      accessKeySecret: requireCredential(credentials, "accessKeySecret"),
    },
    ctx,
  });
  let closed = false;

  /** The whole account: "List Customer Certificates" takes no parameters and answers every record at once. */
  async function* listRecords(): AsyncGenerator<SfdCertificate> {
    yield* await client.listCertificates();
  }

  async function findBySerial(serial: string): Promise<SfdCertificate | undefined> {
    let found: SfdCertificate | undefined;
    for await (const record of listRecords()) {
      // the newest record wins when a certificate was uploaded twice
      if (serialFromWire(String(record.serialNumber)) === serial && (!found || record.id > found.id)) found = record;
    }
    return found;
  }

  /**
   * serial -> newest record (with its expireIn), read once and shared by every API verify of this target (a fleet scan checks
   * thousands of certificates against one account: one list per run, not one per certificate). Any deploy drops
   * it, so a verify after this target wrote reads the list again.
   */
  let serialIndex: Promise<Map<string, DeployedCertificate>> | undefined;
  function indexedSerials(): Promise<Map<string, DeployedCertificate>> {
    if (!serialIndex) {
      const building = (async () => {
        const index = new Map<string, DeployedCertificate>();
        for await (const record of listRecords()) {
          const serial = serialFromWire(String(record.serialNumber));
          const known = index.get(serial);
          if (known === undefined || record.id > Number(known.id)) index.set(serial, toDeployed(record));
        }
        return index;
      })();
      serialIndex = building;
      building.catch(() => {
        if (serialIndex === building) serialIndex = undefined;
      });
    }
    return serialIndex;
  }

  async function attach(record: SfdCertificate): Promise<void> {
    if (!settings.serviceId || !settings.verifyHost) return;
    await client.attachCertificate(settings.serviceId, { certificateId: record.id, domainName: settings.verifyHost });
  }

  /**
   * Whether the attachment a deploy would send is already in effect: one handshake with the edge (SNI verifyHost)
   * presents `serial`. Without a service to attach to there is nothing to send (true). A failed handshake, or an edge
   * that has not picked up an attachment yet, answers false: the attach is then sent again, which replaces the
   * domain's attachment with the same id (VENDOR-NOTES) and so changes nothing when it was in place.
   */
  async function attachedAtEdge(serial: string): Promise<boolean> {
    if (!settings.serviceId || !settings.verifyHost) return true;
    const address = settings.verifyAddress ?? `${settings.verifyHost}:443`;
    try {
      ctx.deadline?.check(`probing the edge ${address} for ${settings.verifyHost}`);
      const served = await probeEdge({
        address,
        serverName: settings.verifyHost,
        ca: ctx.ca,
        timeoutMs: new PollWindow(ctx).cap(ctx.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS),
      });
      return served.serial === serial;
    } catch (error) {
      if (error instanceof CertrelayError) throw error;
      ctx.logger.warn("cdn edge not readable before re-attaching; attaching again", {
        address,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  }

  /**
   * A CDN pushes a new certificate to its edges asynchronously, so a mismatch right after deploy is retried within
   * ctx.poll, but only while the wanted certificate is on the CDN at all (otherwise waiting cannot help).
   */
  async function verifyAtEdge(host: string, address: string, want: string): Promise<VerifyResult> {
    const window = new PollWindow(ctx);
    let last: VerifyResult = { ok: false, detail: "" };
    let knownToCdn: boolean | undefined;
    if (!settings.serviceId) {
      // Without service-id certrelay attaches the certificate to nothing, and the edge serves only attached ones:
      // waiting cannot help, so one look, and the reason, at once.
      const once = await verifyAtEdgeOnce(host, address, want);
      // (an edge that serves it already has it attached: only its chain is in question then)
      return once.ok || once.servedSerial === want
        ? once
        : {
            ...once,
            detail: `${once.detail}; without service-id the uploaded certificate is attached to no domain, and the edge serves only attached certificates: set service-id (or attach it in the CDN console)`,
          };
    }
    for (let check = 1; check === 1 || (await window.next()); check += 1) {
      // A blocked handshake costs at most what is left of the wait and of the run, not a full timeout per check.
      const timeoutMs = window.cap(ctx.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS);
      ctx.deadline?.check(`probing the edge ${address} for ${host}`);
      try {
        const served = await probeEdge({ address, serverName: host, ca: ctx.ca, timeoutMs });
        if (served.serial === want) {
          if (served.trusted) return { ok: true, servedSerial: served.serial, detail: `${host} serves ${want}` };
          return {
            ok: false,
            servedSerial: served.serial,
            detail: untrusted(host, want, served.trustError),
          };
        }
        last = {
          ok: false,
          servedSerial: served.serial,
          detail: `${host} serves certificate ${served.serial}, expected ${want}`,
        };
      } catch (error) {
        last = {
          ok: false,
          detail: `could not read the certificate served at ${address} for ${host}: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      knownToCdn ??= (await findBySerial(want)) !== undefined;
      if (!knownToCdn) return { ...last, detail: `${last.detail} (certificate ${want} is not on the CDN)` };
    }
    if (window.deadlineSpent && ctx.deadline)
      throw ctx.deadline.error(`waiting for ${host} at ${address} to serve ${want} (${last.detail})`, {
        vendor: "cdn",
      });
    return window.checked > 1 ? { ...last, detail: `${last.detail} (still ${window.describe()})` } : last;
  }

  /**
   * The edge serves the wanted certificate, but its chain does not reach a CA this run trusts: usually a private or
   * test CA the user has not handed over (the demo without --ca-file), else a chain uploaded without intermediates.
   */
  function untrusted(host: string, want: string, trustError: string | undefined): string {
    return `${host} serves ${want} as expected, but its chain is not trusted here (${trustError ?? "unknown reason"}): if the certificate comes from a private or test CA, trust that CA with ${ctx.caSetting ?? "the ca option"}; otherwise upload the certificate with its intermediate certificates`;
  }

  async function verifyAtEdgeOnce(host: string, address: string, want: string): Promise<VerifyResult> {
    try {
      ctx.deadline?.check(`probing the edge ${address} for ${host}`);
      const served = await probeEdge({
        address,
        serverName: host,
        ca: ctx.ca,
        timeoutMs: new PollWindow(ctx).cap(ctx.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS),
      });
      if (served.serial === want && served.trusted)
        return { ok: true, servedSerial: served.serial, detail: `${host} serves ${want}` };
      if (served.serial === want)
        return {
          ok: false,
          servedSerial: served.serial,
          detail: untrusted(host, want, served.trustError),
        };
      return {
        ok: false,
        servedSerial: served.serial,
        detail: `${host} serves certificate ${served.serial}, expected ${want}`,
      };
    } catch (error) {
      return {
        ok: false,
        detail: `could not read the certificate served at ${address} for ${host}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  return {
    provider: "cdn",
    label: `cdn ${printableEndpoint(settings.endpoint)}${settings.serviceId ? ` service ${settings.serviceId}` : ""}`,

    async deploy(material: CertificateMaterial): Promise<DeployResult> {
      serialIndex = undefined;
      const leaf = certFacts(material.certificate);
      const key = parsePrivateKey(material.privateKey, "private-key");
      // RSA keys go as PKCS#1 (the spec's form), EC keys as SEC1; anything else as given: the API decides.
      const privateKey =
        key.asymmetricKeyType === "rsa"
          ? toPkcs1Pem(material.privateKey)
          : key.asymmetricKeyType === "ec"
            ? String(key.export({ type: "sec1", format: "pem" }))
            : material.privateKey.trim();

      const existing = await findBySerial(leaf.serial);
      if (existing) {
        // Already uploaded. A run that died between upload and attach left it attached to nothing: attach it then.
        // No documented call reads a service's attachments, so whether it is attached is read where it shows: the
        // edge serves only attached certificates, so an edge presenting this serial for verifyHost needs no attach.
        if (!(await attachedAtEdge(normalizeSerial(leaf.serial)))) {
          ctx.logger.info("cdn certificate already uploaded but not served by the edge; attaching it", {
            id: existing.id,
            serial: leaf.serial,
          });
          await attach(existing);
          return { ...toDeployed(existing), changed: true };
        }
        return { ...toDeployed(existing), changed: false };
      }
      const upload = {
        // only the leaf: the CDN reads the first block of `certificate`, intermediates go in `chain`
        certificate: leaf.pem.trim(),
        privateKey,
        ...(material.chain.trim() ? { chain: material.chain.trim() } : {}),
      };
      const uploaded = await writeOnce(() => client.uploadCertificate(upload), {
        what: `certificate ${leaf.serial} on the CDN`,
        lookup: () => findBySerial(leaf.serial),
        logger: ctx.logger,
      });
      // a list read while the upload was under way does not hold it
      serialIndex = undefined;
      ctx.logger.info("cdn certificate uploaded", { id: uploaded.id, serial: leaf.serial });
      await attach(uploaded);
      return { ...toDeployed(uploaded), changed: true };
    },

    async *list(): AsyncGenerator<DeployedCertificate> {
      for await (const record of listRecords()) yield toDeployed(record);
    },

    async verify(serial: string): Promise<VerifyResult> {
      const want = normalizeSerial(serial);
      if (!settings.verifyHost) {
        const present = (await indexedSerials()).get(want);
        return verifyInRecords(present ? [present] : [], want);
      }
      return verifyAtEdge(settings.verifyHost, settings.verifyAddress ?? `${settings.verifyHost}:443`, want);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
