/**
 * EnOS Connect Service sandbox: the APIM token service, signed API requests, and device certificates
 * (`certificates?action=apply` exactly as enos-apply-certificate.txt describes; list/renew/revoke as VENDOR-NOTES
 * describes). Every error code in the spec can be reached by a request plus seeded state or a knob.
 */
import { randomUUID, X509Certificate } from "node:crypto";
import type { Clock } from "../../model.js";
import { certFacts } from "../../x509/facts.js";
import { checkCsrForEnos, inspectCsr, type CsrFacts } from "../../x509/csr.js";
import { DAY_MS, SandboxServer, type RouteContext, type RouteResult } from "../server.js";
import { ApimStatus, TokenLedger } from "./auth.js";
import {
  certStatus,
  EnosRegistry,
  REASON_SUPERSEDED,
  REVOKE_REASONS,
  type EnosCertRecord,
  type EnosDevice,
  type EnosProduct,
} from "./state.js";

/** The part of TestCA the sandbox needs. */
export interface EnosSandboxCa {
  rootPem: string;
  chainPem: string;
  rootNotAfter: Date;
  signCsr(
    csrPem: string,
    options: { notBefore?: Date; notAfter?: Date; serial?: string },
  ): Promise<{ certificate: string; chain: string }>;
}

export interface EnosSandboxOptions {
  ca: EnosSandboxCa;
  clock?: Clock;
  random?: () => number;
  appKey?: string;
  appSecret?: string;
  /** the seeded organisation; default `yourOrgId` (the spec's sample) */
  orgId?: string;
  /** default: `yourProductKey` (bi-directional, max 3650 days) and `oneWayProduct` (not bi-directional) */
  products?: EnosProduct[];
  /** default: `yourDeviceAssetId` (yourProductKey/yourDeviceKey) and `oneWayAssetId` (oneWayProduct/oneWayDevice) */
  devices?: Array<Omit<EnosDevice, "orgId"> & { orgId?: string }>;
  /** token lifetime in seconds; default 7200 (EnOS "Get Access Token") */
  tokenTtlSeconds?: number;
  /** inferred: allowed distance of `timestamp`/`apim-timestamp` from server time; default 5 minutes */
  timestampWindowMs?: number;
  /** first certSN handed out; default 32720 (the spec's sample) */
  firstCertSN?: number;
  /**
   * What `cert` holds in list answers: `pem`, or `short`, a short value like the documented list sample shows
   * (inferred form: the certificate's SHA-1 fingerprint). Apply/renew answers always carry the PEM.
   */
  listCert?: "pem" | "short";
}

// a type alias (not an interface) so it passes as the provider's `Record<string, string>` credentials
export type EnosSandboxCredentials = {
  appKey: string;
  appSecret: string;
};

export type EnosAction = "apply" | "renew" | "revoke" | "list";
export type EnosInternalService = "certificate" | "product" | "iot-hub";

export const TOKEN_PATH = "/apim-token-service/v2.0/token/get";
export const CERTIFICATES_PATH = "/connect-service/v2.0/certificates";
const CA_CERT_PATH = "/enos/CA/cacert";
/** The renew sample's certChainURL ends in `/enos/CA/cacert/RSA`; ECC certificates come from another CA. */
const CA_CERT_TYPED_PATH = "/enos/CA/cacert/:type";
const DEFAULT_VALID_DAY = 730;

/** The spec's 99400 messages, word for word (enos-apply-certificate.txt, Error Code). */
export const EnosMessages = {
  validityExceeds:
    "The specified validity period exceeds the maximum certificate validity period of the product to which this device belongs.",
  deviceIdentifierInvalid: "invalid argument: The device identifier is invalid",
  csrMissing: "Invalid Argument csr:csr is missing",
  notBiDirectional:
    "The product to which the device belongs to is not a product that supports bi-directional authorization.",
  deviceNotFound: "Device cannot be found",
  boundToAnotherDevice: "Certificate is already bound to another device.",
  callCaError: (code: number, message: string, detail: string) =>
    `Call ca error!: Certificate service err info:, code: ${code}, message: ${message}, detail message: ${detail}`,
  invalidCertRequest: (message: string, detail: string) =>
    `Invalid cert request!message: ${message}, detail message: ${detail}`,
  duplicateSubject: (message: string, detail: string) =>
    `Duplicate subject by certificate request!message: ${message}, detail message: ${detail}`,
  revokeFailed: (message: string, detail: string) =>
    `Revoke cert is failed!message: ${message}, detail message: ${detail}`,
  renewFailed: (message: string, detail: string) =>
    `Renew cert is failed!message: ${message}, detail message: ${detail}`,
  queryFailed: (message: string, detail: string) =>
    `Query cert is failed!message: ${message}, detail message: ${detail}`,
  invalidCallParameters: (message: string, detail: string) =>
    `When calling Certificate Services, the call parameters are invalid.message: ${message}, detail message: ${detail}`,
  internal: (service: EnosInternalService) =>
    service === "certificate"
      ? "Internal error of certificate service."
      : service === "product"
        ? "Internal error of product service."
        : "Internal error of IoT Hub service.",
} as const;

/** A business refusal: carried through the handlers and answered as `{code, msg, requestId}`. */
class EnosRefusal extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
  ) {
    super(msg);
  }
}

const refuse = (code: number, msg: string): never => {
  throw new EnosRefusal(code, msg);
};

interface Knob {
  remaining: number;
}

export class EnosSandbox extends SandboxServer {
  readonly credentials: EnosSandboxCredentials;
  readonly orgId: string;
  readonly registry = new EnosRegistry();
  private readonly tokens: TokenLedger;
  private readonly ca: EnosSandboxCa;
  private nextCertSN: number;
  private readonly actionCounts = new Map<EnosAction, number>();
  private tokensIssued = 0;
  private authFailures = 0;
  private caFailures: Knob & { code: number; message: string; detail: string } = {
    remaining: 0,
    code: 500,
    message: "",
    detail: "",
  };
  private queryFailures: Knob = { remaining: 0 };
  private readonly internalFailures = new Map<EnosInternalService, Knob & { action?: EnosAction }>();
  /** knob: what list answers carry in `cert` */
  listCert: "pem" | "short";
  /** knob: apply/renew answers leave `caCert` out, so a client must fetch `certChainURL` */
  omitCaCert = false;
  /** knob: the origin `certChainURL` names (EnOS: a portal host, not the gateway); default the sandbox itself */
  certChainOrigin: string | undefined;
  /** CA file downloads (GET /enos/CA/cacert[/type]) */
  caCertFetches = 0;

  constructor(options: EnosSandboxOptions) {
    super("enos", { clock: options.clock, random: options.random });
    this.ca = options.ca;
    this.credentials = {
      appKey: options.appKey ?? "enos-demo-app-key",
      appSecret: options.appSecret ?? "enos-demo-app-secret-not-for-production",
    };
    this.orgId = options.orgId ?? "yourOrgId";
    this.nextCertSN = options.firstCertSN ?? 32720;
    this.listCert = options.listCert ?? "pem";
    this.tokens = new TokenLedger(
      options.tokenTtlSeconds ?? 7200,
      new Map([[this.credentials.appKey, this.credentials.appSecret]]),
      options.timestampWindowMs ?? 5 * 60_000,
    );
    const products = options.products ?? [
      { productKey: "yourProductKey", maxValidDay: 3650, biDirectional: true },
      { productKey: "oneWayProduct", maxValidDay: 3650, biDirectional: false },
    ];
    for (const p of products) this.registry.addProduct(p);
    const devices = options.devices ?? [
      { assetId: "yourDeviceAssetId", productKey: "yourProductKey", deviceKey: "yourDeviceKey" },
      { assetId: "oneWayAssetId", productKey: "oneWayProduct", deviceKey: "oneWayDevice" },
    ];
    for (const d of devices) this.registry.addDevice({ ...d, orgId: d.orgId ?? this.orgId });

    this.route("POST", TOKEN_PATH, (ctx) => this.token(ctx));
    this.route("POST", CERTIFICATES_PATH, (ctx) => this.authenticated(ctx, "POST"));
    this.route("GET", CERTIFICATES_PATH, (ctx) => this.authenticated(ctx, "GET"));
    // the `certChainURL` of an apply answer points here
    this.route("GET", CA_CERT_PATH, () => this.caCertFile());
    this.route("GET", CA_CERT_TYPED_PATH, (ctx) =>
      ctx.params.type === "RSA" || ctx.params.type === "ECC" ? this.caCertFile() : { status: 404, body: "" },
    );
  }

  // ---- inspectors and knobs ---------------------------------------------------------------------------------

  /** Business requests per action that passed authentication. */
  actionCount(action: EnosAction): number {
    return this.actionCounts.get(action) ?? 0;
  }

  /** Token requests that were answered with a token (new or reused). */
  get tokenCount(): number {
    return this.tokensIssued;
  }

  /** Requests refused by the gateway (token, timestamp or signature). */
  get authFailureCount(): number {
    return this.authFailures;
  }

  addProduct(product: EnosProduct): void {
    this.registry.addProduct(product);
  }

  addDevice(device: Omit<EnosDevice, "orgId"> & { orgId?: string }): void {
    this.registry.addDevice({ ...device, orgId: device.orgId ?? this.orgId });
  }

  /** Every certificate ever issued to a device, oldest first, with its current status. */
  certificatesOf(assetId: string): Array<EnosCertRecord & { certStatus: 0 | 1 | 2 }> {
    const now = this.clock().getTime();
    return this.registry.certsOf(assetId).map((r) => ({ ...r, certStatus: certStatus(r, now) }));
  }

  /** Chaos knob: every live token expires now (the next signed request is refused with 1203). */
  expireTokens(): void {
    if (this.tokens.expireAll(this.clock().getTime()) > 0) this.faults.record("token-expiry");
  }

  /** Knob: the next `times` apply/renew calls fail at the CA ("Call ca error!"). */
  failCa(times = 1, failure: { code?: number; message?: string; detail?: string } = {}): void {
    this.caFailures = {
      remaining: times,
      code: failure.code ?? 500,
      message: failure.message ?? "CA service unavailable",
      detail: failure.detail ?? "the certificate authority did not answer",
    };
  }

  /** Knob: the next `times` list calls fail with "Query cert is failed!". */
  failQuery(times = 1): void {
    this.queryFailures = { remaining: times };
  }

  /** Knob: the next `times` certificate requests (of `action`, or any) fail with 99500 from the named internal service. */
  failInternal(service: EnosInternalService, times = 1, action?: EnosAction): void {
    this.internalFailures.set(service, { remaining: times, ...(action ? { action } : {}) });
  }

  // ---- token service ----------------------------------------------------------------------------------------

  private token(ctx: RouteContext): RouteResult {
    const now = this.clock().getTime();
    const answer = this.tokens.get(ctx.json(), now);
    // inferred: token-service refusals are HTTP 200 with a non-zero `status`, like its success answer
    if (!answer.ok) return { json: { status: answer.status, msg: answer.msg, business: "apim-token-service" } };
    this.tokensIssued += 1;
    return {
      json: {
        status: ApimStatus.OK,
        msg: "SUCCESS",
        business: "apim-token-service",
        // inferred: a repeated token/get before expiry answers the same token with the documented initial 7200 s,
        // while the token keeps its original expiry; a client must not restart its clock on a repeat
        data: {
          accessToken: answer.token.accessToken,
          expire: answer.fresh ? this.tokens.secondsLeft(answer.token, now) : this.tokens.ttl,
        },
      },
    };
  }

  // ---- certificates -----------------------------------------------------------------------------------------

  private async authenticated(ctx: RouteContext, method: "GET" | "POST"): Promise<RouteResult> {
    const requestId = randomUUID();
    const auth = this.tokens.verify(ctx.headers, ctx.query, ctx.text(), this.clock().getTime());
    if (!auth.ok) {
      this.authFailures += 1;
      // inferred: the gateway refuses with HTTP 401 and an APIM status body; the docs give only the codes
      return { status: 401, json: { status: auth.status, msg: auth.msg, business: "apim-gateway", requestId } };
    }
    const action = ctx.query.get("action") ?? "";
    try {
      const data = await this.dispatchAction(ctx, method, action);
      return { json: { code: 0, msg: "OK", requestId, data } };
    } catch (error) {
      // inferred: business errors are HTTP 200 with the code in the body, as EnOS APIs answer
      if (error instanceof EnosRefusal) return { json: { code: error.code, msg: error.msg, requestId } };
      throw error;
    }
  }

  private async dispatchAction(ctx: RouteContext, method: "GET" | "POST", action: string): Promise<unknown> {
    const known =
      method === "GET" ? action === "list" : action === "apply" || action === "renew" || action === "revoke";
    if (!known) {
      // inferred: an unknown action (or the wrong method for it) is a bad call parameter
      return refuse(
        99400,
        EnosMessages.invalidCallParameters(
          `action '${action}' is not supported for ${method}`,
          "use apply, renew or revoke with POST, list with GET",
        ),
      );
    }
    const typed = action as EnosAction;
    this.actionCounts.set(typed, (this.actionCounts.get(typed) ?? 0) + 1);
    const device = this.device(ctx.query, typed);
    switch (typed) {
      case "apply":
        return this.apply(device, ctx.json());
      case "renew":
        return this.renew(device, ctx.json());
      case "revoke":
        return this.revoke(device, ctx.json());
      case "list":
        return this.list(device);
    }
  }

  /** orgId + (assetId | productKey+deviceKey), then the device's product must allow certificates. */
  private device(query: URLSearchParams, action: EnosAction): { device: EnosDevice; product: EnosProduct } {
    const orgId = query.get("orgId") ?? "";
    if (!orgId)
      return refuse(
        99400,
        EnosMessages.invalidCallParameters("orgId is missing", "orgId is a mandatory query parameter"),
      );
    const assetId = query.get("assetId") || undefined;
    const productKey = query.get("productKey") || undefined;
    const deviceKey = query.get("deviceKey") || undefined;
    if (assetId === undefined && (productKey === undefined || deviceKey === undefined))
      return refuse(99400, EnosMessages.deviceIdentifierInvalid);
    this.internalFailure("iot-hub", action);
    const device = this.registry.findDevice(orgId, assetId !== undefined ? { assetId } : { productKey, deviceKey });
    if (!device) return refuse(11404, EnosMessages.deviceNotFound);
    this.internalFailure("product", action);
    const product = this.registry.product(device.productKey);
    if (!product?.biDirectional) return refuse(99400, EnosMessages.notBiDirectional);
    return { device, product };
  }

  private internalFailure(service: EnosInternalService, action: EnosAction): void {
    const knob = this.internalFailures.get(service);
    if (knob && knob.remaining > 0 && (knob.action === undefined || knob.action === action)) {
      knob.remaining -= 1;
      refuse(99500, EnosMessages.internal(service));
    }
  }

  private async apply(target: { device: EnosDevice; product: EnosProduct }, body: unknown): Promise<unknown> {
    const fields = objectBody(body);
    const csr = typeof fields.csr === "string" ? fields.csr : "";
    if (csr.trim() === "") return refuse(99400, EnosMessages.csrMissing);
    const issueAuthority = parseIssueAuthority(fields.issueAuthority, "RSA");
    const validDay = this.validDay(fields.validDay, target.product);
    const record = await this.issue(target.device, csr, issueAuthority, validDay, "apply");
    return this.applyResult(record);
  }

  private async renew(target: { device: EnosDevice; product: EnosProduct }, body: unknown): Promise<unknown> {
    const fields = objectBody(body);
    if (fields.certSn === undefined)
      return refuse(
        99400,
        EnosMessages.invalidCallParameters("certSn is missing", "give the certSn of the certificate to renew"),
      );
    const certSn = integerCertSn(fields.certSn);
    const old = this.registry.cert(certSn);
    const now = this.clock().getTime();
    if (!old || old.assetId !== target.device.assetId) {
      return refuse(
        99400,
        EnosMessages.renewFailed(
          "certificate is not bound to this device",
          `certSn ${certSn} is not a certificate of this device`,
        ),
      );
    }
    const status = certStatus(old, now);
    if (status !== 0) {
      // VENDOR-NOTES: only a valid, bound certificate can be renewed; an expired one needs a new apply
      return refuse(
        99400,
        EnosMessages.renewFailed(
          `certificate is ${status === 1 ? "revoked" : "expired"}`,
          `certSn ${certSn} is not valid; apply for a new certificate`,
        ),
      );
    }
    const csr = typeof fields.csr === "string" && fields.csr.trim() !== "" ? fields.csr : old.csr;
    // inferred: without issueAuthority a renewal keeps the old certificate's type
    const issueAuthority = parseIssueAuthority(fields.issueAuthority, old.issueAuthority);
    const validDay = this.validDay(fields.validDay, target.product);
    const record = await this.issue(target.device, csr, issueAuthority, validDay, "renew");
    return this.applyResult(record);
  }

  private revoke(target: { device: EnosDevice; product: EnosProduct }, body: unknown): null {
    const fields = objectBody(body);
    const reason = fields.reason;
    if (fields.certSn === undefined)
      return refuse(
        99400,
        EnosMessages.invalidCallParameters("certSn is missing", "give the certSn of the certificate to revoke"),
      );
    const certSn = integerCertSn(fields.certSn);
    if (typeof reason !== "number" || !Number.isInteger(reason) || !REVOKE_REASONS.has(reason)) {
      return refuse(
        99400,
        EnosMessages.invalidCallParameters(
          "reason is invalid",
          "reason must be an integer CRL reason code (0 unspecified, 1 key compromise, 3 affiliation changed, ...)",
        ),
      );
    }
    this.internalFailure("certificate", "revoke");
    const record = this.registry.cert(certSn);
    const now = this.clock().getTime();
    if (!record || record.assetId !== target.device.assetId) {
      return refuse(
        99400,
        EnosMessages.revokeFailed(
          "certificate is not bound to this device",
          `certSn ${certSn} is not a certificate of this device`,
        ),
      );
    }
    const status = certStatus(record, now);
    if (status !== 0)
      return refuse(
        99400,
        EnosMessages.revokeFailed(
          `certificate is already ${status === 1 ? "revoked" : "expired"}`,
          `certSn ${certSn} cannot be revoked`,
        ),
      );
    record.revokedAt = now;
    record.revokeReason = reason;
    return null;
  }

  private list(target: { device: EnosDevice; product: EnosProduct }): unknown[] {
    if (this.queryFailures.remaining > 0) {
      this.queryFailures.remaining -= 1;
      return refuse(
        99400,
        EnosMessages.queryFailed("certificate service query failed", "the certificate store did not answer"),
      );
    }
    this.internalFailure("certificate", "list");
    const now = this.clock().getTime();
    return this.registry.certsOf(target.device.assetId).map((r) => {
      const status = certStatus(r, now);
      return {
        certSN: r.certSN,
        cert: this.listCert === "pem" ? r.cert : new X509Certificate(r.cert).fingerprint.replaceAll(":", ""),
        certStatus: status,
        issuer: r.issuer,
        subject: r.subject,
        signDate: r.signDate,
        // the documented spelling (sic): "effetiveDate"
        effetiveDate: r.effectiveDate,
        expireDate: r.expireDate,
        ...(status === 1 ? { revoker: "certrelay-sandbox", revokerReason: String(r.revokeReason ?? 0) } : {}),
      };
    });
  }

  /** validDay rules (spec "Rules for the Validity Period of a Certificate"): default 730, refused above the product's maximum. */
  private validDay(value: unknown, product: EnosProduct): number {
    if (value === undefined || value === null) return DEFAULT_VALID_DAY;
    if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
      // inferred: the spec says validDay is an integer but not what a non-integer gets
      return refuse(
        99400,
        EnosMessages.invalidCallParameters("validDay is invalid", "validDay must be a positive integer number of days"),
      );
    }
    if (value > product.maxValidDay) return refuse(99400, EnosMessages.validityExceeds);
    return value;
  }

  private async issue(
    device: EnosDevice,
    csr: string,
    issueAuthority: "RSA" | "ECC",
    validDay: number,
    action: "apply" | "renew",
  ): Promise<EnosCertRecord> {
    let facts: CsrFacts;
    try {
      facts = await inspectCsr(csr);
      checkCsrForEnos(facts, issueAuthority);
    } catch (error) {
      return refuse(
        99400,
        EnosMessages.invalidCertRequest(
          `the csr does not meet the ${issueAuthority} certificate rules`,
          error instanceof Error ? error.message : "unreadable csr",
        ),
      );
    }
    const now = this.clock().getTime();
    for (const other of this.registry.allCerts()) {
      if (other.assetId === device.assetId || certStatus(other, now) !== 0) continue;
      if (other.publicKeyPem === facts.publicKeyPem) return refuse(11833, EnosMessages.boundToAnotherDevice);
      // inferred: the CA enforces unique subjects among valid certificates of different devices (EJBCA-style)
      if (commonNameOf(other.subject) === facts.commonName) {
        return refuse(
          99400,
          EnosMessages.duplicateSubject(
            "a valid certificate of another device has this subject",
            `subject CN=${facts.commonName} is already in use`,
          ),
        );
      }
    }
    if (this.caFailures.remaining > 0) {
      this.caFailures.remaining -= 1;
      return refuse(
        99400,
        EnosMessages.callCaError(this.caFailures.code, this.caFailures.message, this.caFailures.detail),
      );
    }
    this.internalFailure("certificate", action);
    // spec: a validity longer than the root CA's remaining life is cut to the root's remaining life
    const notBefore = new Date(Math.floor(now / 1000) * 1000);
    const notAfter = new Date(Math.min(notBefore.getTime() + validDay * DAY_MS, this.ca.rootNotAfter.getTime()));
    const certSN = String(this.nextCertSN++);
    const signed = await this.ca.signCsr(csr, { notBefore, notAfter, serial: BigInt(certSN).toString(16) });
    const cert = certFacts(signed.certificate);
    // a device has at most one valid certificate (VENDOR-NOTES); inferred: the one it had is revoked as superseded
    for (const old of this.registry.certsOf(device.assetId)) {
      if (certStatus(old, now) === 0) {
        old.revokedAt = now;
        old.revokeReason = REASON_SUPERSEDED;
      }
    }
    const record: EnosCertRecord = {
      certSN,
      assetId: device.assetId,
      cert: signed.certificate,
      csr,
      publicKeyPem: facts.publicKeyPem,
      issueAuthority,
      subject: cert.subject,
      issuer: cert.issuer,
      signDate: now,
      effectiveDate: cert.notBefore.getTime(),
      expireDate: cert.notAfter.getTime(),
    };
    this.registry.addCert(record);
    return record;
  }

  private caCert(): string {
    // inferred: the spec's caCert is the root that signs device certificates directly; the test CA signs with an
    // intermediate, so caCert carries intermediate then root, enough to build the chain to the root
    return this.ca.chainPem;
  }

  private caCertFile(): RouteResult {
    this.caCertFetches += 1;
    return { body: this.caCert(), headers: { "content-type": "application/x-pem-file" } };
  }

  private applyResult(record: EnosCertRecord): unknown {
    return {
      // inferred: on EnOS the URL names a portal host; the sandbox serves the file itself, per CA type
      certChainURL: `${this.certChainOrigin ?? this.url}${CA_CERT_PATH}/${record.issueAuthority}`,
      ...(this.omitCaCert ? {} : { caCert: this.caCert() }),
      cert: record.cert,
      certSN: record.certSN,
      issueAuthority: record.issueAuthority,
    };
  }
}

/** certSn is an integer on the wire (renew/revoke pages, samples, Java SDK); a string is refused. */
function integerCertSn(value: unknown): string {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    // inferred: the refusal for a mistyped certSn is not documented; a bad call parameter fits
    return refuse(
      99400,
      EnosMessages.invalidCallParameters("certSn is invalid", "certSn must be an integer (the certificate's certSN)"),
    );
  }
  return String(value);
}

function objectBody(body: unknown): Record<string, unknown> {
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** Spec "Rules for issueAuthority": RSA (default) or ECC, not case-sensitive; anything else is an error. */
function parseIssueAuthority(value: unknown, fallback: "RSA" | "ECC"): "RSA" | "ECC" {
  if (value === undefined || value === null || value === "") return fallback;
  const upper = typeof value === "string" ? value.toUpperCase() : "";
  if (upper === "RSA" || upper === "ECC") return upper;
  // inferred: the spec says "an error would be returned" without naming it
  return refuse(
    99400,
    EnosMessages.invalidCallParameters("issueAuthority is invalid", "issueAuthority must be RSA or ECC"),
  );
}

function commonNameOf(subject: string): string {
  const match = /(?:^|[,/\n]\s*)CN=([^,/\n]*)/.exec(subject);
  return match?.[1]?.trim() ?? "";
}

/**
 * Bulk devices for benchmarks and fleet runs: `count` devices `<prefix>-<n>` (assetId; deviceKey the same) under a
 * bi-directional product, registered without issuing anything. Returns their assetIds.
 */
export function seedEnosDevices(
  sandbox: EnosSandbox,
  count: number,
  options: { prefix?: string; productKey?: string; maxValidDay?: number } = {},
): string[] {
  const prefix = options.prefix ?? "seeded";
  const productKey = options.productKey ?? "seededProduct";
  if (!sandbox.registry.product(productKey))
    sandbox.addProduct({ productKey, maxValidDay: options.maxValidDay ?? 3650, biDirectional: true });
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const assetId = `${prefix}-${n}`;
    sandbox.addDevice({ assetId, productKey, deviceKey: assetId });
    ids.push(assetId);
  }
  return ids;
}

export async function startEnosSandbox(options: EnosSandboxOptions): Promise<EnosSandbox> {
  const sandbox = new EnosSandbox(options);
  await sandbox.start();
  return sandbox;
}
