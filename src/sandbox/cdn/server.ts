/**
 * SwiftFederation CDN sandbox: `POST /sfd/v2.0/certs` exactly as cdn-upload-certificate.txt describes, the sibling
 * endpoints VENDOR-NOTES names (list/get/delete inferred, attach to a CDN service), signature v2 on every request,
 * and an HTTPS edge that serves the attached certificate by SNI.
 */
import type { CertificateMaterial, Clock } from "../../model.js";
import { DAY_MS, SandboxServer, type RouteContext, type RouteHandler, type RouteResult } from "../server.js";
import { NonceLedger, checkSignature } from "./auth.js";
import { checkUpload, recordCovers, recordFromUpload, sfdTime, type CdnCertificateRecord } from "./certificates.js";
import { CdnEdge } from "./edge.js";

/** The part of TestCA the sandbox needs (the edge's fallback certificate). */
export interface CdnSandboxCa {
  issue(request: { commonName: string; sans?: string[]; days?: number }): Promise<CertificateMaterial>;
}

export interface CdnSandboxOptions {
  ca: CdnSandboxCa;
  clock?: Clock;
  random?: () => number;
  /** `customerId` stamped on every record (the spec's example uses 123) */
  customerId?: number;
  /** first record id (the spec's example shows 2356) */
  firstId?: number;
  /** VENDOR-NOTES: `created` sometimes carries milliseconds. "alternate" adds them on every other record. */
  createdMillis?: "never" | "always" | "alternate";
  /** demo credentials; defaults are fixed so docs and the demo can name them */
  accessKeyId?: string;
  accessKeySecret?: string;
  /** start the HTTPS edge (default true) */
  edge?: boolean;
  /**
   * inferred: a CDN takes a while to push a new certificate to its edges. The edge keeps presenting what it served
   * before for this many handshakes per name after a change (default 0: immediately). See also `stallEdge()`.
   */
  edgePropagationHandshakes?: number;
}

// a type alias (not an interface) so it passes as the provider's `Record<string, string>` credentials
export type CdnSandboxCredentials = {
  accessKeyId: string;
  accessKeySecret: string;
};

/** Wire shape of a record, exactly the spec's response body. */
export interface SfdCertificateWire {
  id: number;
  customerId: number;
  commonName: string;
  subjectAlternativeNames: string;
  serialNumber: string;
  issuer: string;
  organization: string;
  organizationalUnit: string;
  country: string;
  stateOrProvince: string;
  locality: string;
  validFrom: string;
  validTo: string;
  created: string;
  expireIn: number;
}

const CERTS = "/sfd/v2.0/certs";

function error(status: number, code: string, message: string): RouteResult {
  // inferred: the spec lists codes and messages but not the error body; `{code, message}` mirrors its tables.
  return { status, json: { code, message } };
}

export class CdnSandbox extends SandboxServer {
  readonly credentials: CdnSandboxCredentials;
  private readonly records = new Map<number, CdnCertificateRecord>();
  /** records in id order, rebuilt lazily: list pages slice it instead of copying 100k entries per page */
  private ordered: CdnCertificateRecord[] | undefined;
  /** ids of uploaded (not seeded) records, oldest first: the edge's SNI candidates */
  private readonly uploadedIds: number[] = [];
  /** domain (lowercase) -> attachment */
  private readonly attachments = new Map<string, { serviceId: string; certificateId: number }>();
  private readonly nonces = new NonceLedger();
  private readonly keys: Map<string, string>;
  private nextId: number;
  private readonly customerId: number;
  private readonly createdMillis: "never" | "always" | "alternate";
  private edgeServer: CdnEdge | undefined;
  private authFailures = 0;
  /** per server name: what the edge currently presents ("fallback" or a record id) and handshakes since a change */
  private readonly edgeViews = new Map<string, { key: string; pending: number }>();
  private edgeStalled = false;
  private uploads = 0;
  /** knob: the customer account was deleted; every call answers 403 Customer.DELETED */
  customerDeleted = false;
  /** requests refused for a missing or non-JSON Content-Type */
  contentTypeRefusals = 0;

  constructor(private readonly options: CdnSandboxOptions) {
    super("cdn", { clock: options.clock, random: options.random });
    this.credentials = {
      accessKeyId: options.accessKeyId ?? "SFDDEMOACCESSKEY",
      accessKeySecret: options.accessKeySecret ?? "sfd-demo-secret-not-for-production",
    };
    this.keys = new Map([[this.credentials.accessKeyId, this.credentials.accessKeySecret]]);
    this.nextId = options.firstId ?? 2356;
    this.customerId = options.customerId ?? 123;
    this.createdMillis = options.createdMillis ?? "never";

    this.route(
      "POST",
      CERTS,
      this.signed((ctx) => this.upload(ctx)),
    );
    this.route(
      "GET",
      CERTS,
      this.signed((ctx) => this.list(ctx)),
    );
    this.route(
      "GET",
      `${CERTS}/:id`,
      this.signed((ctx) => this.getOne(ctx)),
    );
    this.route(
      "DELETE",
      `${CERTS}/:id`,
      this.signed((ctx) => this.remove(ctx)),
    );
    this.route(
      "POST",
      "/cdn/v1.0/services/:serviceId/certificates",
      this.signed((ctx) => this.attach(ctx)),
    );
  }

  override async start(port = 0): Promise<string> {
    const url = await super.start(port);
    if (this.options.edge !== false && !this.edgeServer) {
      const fallback = await this.options.ca.issue({ commonName: "default.sfd-edge.invalid", days: 365 });
      this.edgeServer = new CdnEdge(fallback, (name) => this.edgeSelection(name));
      await this.edgeServer.start();
    }
    return url;
  }

  override async stop(): Promise<void> {
    await this.edgeServer?.stop();
    this.edgeServer = undefined;
    await super.stop();
  }

  /** Port of the HTTPS edge on 127.0.0.1 (connect with SNI = the domain to check). */
  get edgePort(): number {
    if (!this.edgeServer) throw new Error("cdn edge is not started");
    return this.edgeServer.port;
  }

  /** Fault knob: while stalled, the edge never picks up a new upload/attachment (recorded as "async-stall"). */
  stallEdge(stalled = true): void {
    this.edgeStalled = stalled;
  }

  /** Accepted uploads (each one a new record, even for a certificate already present). */
  get uploadCount(): number {
    return this.uploads;
  }

  /** Requests refused for a bad/missing signature, stale date or reused nonce. */
  get authFailureCount(): number {
    return this.authFailures;
  }

  get certificateCount(): number {
    return this.records.size;
  }

  /** Records whose serial (hex, any case/leading zeros) matches. */
  findBySerial(serialHex: string): CdnCertificateRecord[] {
    const want = serialHex.replace(/^0+/, "").toUpperCase();
    return [...this.records.values()].filter((r) => r.serialHex.replace(/^0+/, "") === want);
  }

  attachmentFor(domainName: string): { serviceId: string; certificateId: number } | undefined {
    return this.attachments.get(domainName.toLowerCase());
  }

  /** The record the edge would serve for a name, or undefined for the fallback certificate. */
  servedRecord(serverName: string): CdnCertificateRecord | undefined {
    const attached = this.attachments.get(serverName.toLowerCase());
    const byAttachment = attached && this.records.get(attached.certificateId);
    if (byAttachment?.material) return byAttachment;
    for (let i = this.uploadedIds.length - 1; i >= 0; i -= 1) {
      const record = this.records.get(this.uploadedIds[i] as number);
      if (record?.material && recordCovers(record, serverName)) return record;
    }
    return undefined;
  }

  /** Adds `count` lightweight records built by `make` (no PEM, no crypto) for benchmarks; see seedCdnCertificates. */
  seed(count: number, make: (index: number, id: number, customerId: number) => CdnCertificateRecord): number[] {
    const ids: number[] = new Array(count);
    for (let i = 0; i < count; i += 1) {
      const id = this.nextId++;
      this.records.set(id, make(i, id, this.customerId));
      ids[i] = id;
    }
    this.ordered = undefined;
    return ids;
  }

  toWire(record: CdnCertificateRecord): SfdCertificateWire {
    const now = this.clock().getTime();
    const withMillis = this.createdMillis === "always" || (this.createdMillis === "alternate" && record.id % 2 === 1);
    return {
      id: record.id,
      customerId: record.customerId,
      commonName: record.commonName,
      subjectAlternativeNames: record.sans.map((n) => `DNS:${n}`).join(", "),
      serialNumber: record.serialDecimal,
      issuer: record.issuerCommonName,
      organization: record.organization,
      organizationalUnit: record.organizationalUnit,
      country: record.country,
      stateOrProvince: record.stateOrProvince,
      locality: record.locality,
      validFrom: sfdTime(record.validFrom),
      validTo: sfdTime(record.validTo),
      created: sfdTime(record.created, withMillis),
      // inferred: whole days, floored, against the CDN's own clock at answer time (negative once expired).
      expireIn: Math.floor((record.validTo.getTime() - now) / DAY_MS),
    };
  }

  private signed(handler: RouteHandler): RouteHandler {
    return (ctx) => {
      const outcome = checkSignature({
        method: ctx.method,
        uri: ctx.req.url ?? ctx.url.pathname,
        headers: ctx.headers,
        body: ctx.text(),
        now: this.clock().getTime(),
        keys: this.keys,
        seenNonce: (nonce) => this.nonces.use(nonce, this.clock().getTime()),
      });
      if (!outcome.ok) {
        this.authFailures += 1;
        return error(outcome.status, outcome.code, outcome.message);
      }
      // VENDOR-NOTES: Content-Type: application/json is mandatory on every request, GET included. inferred: the
      // refusal's status and code are not documented.
      if (!/^application\/json\b/i.test(String(ctx.headers["content-type"] ?? ""))) {
        this.contentTypeRefusals += 1;
        return error(415, "ContentType.Invalid", "Content-Type must be application/json.");
      }
      // documented for the list (inferred for the other calls): a deleted customer account is refused as such
      if (this.customerDeleted) return error(403, "Customer.DELETED", "Customer is deleted.");
      return handler(ctx);
    };
  }

  private upload(ctx: RouteContext): RouteResult {
    const check = checkUpload(ctx.json());
    if (!check.ok) return error(400, check.rejection.code, check.rejection.message);
    const record = recordFromUpload(check, this.nextId++, this.customerId, this.clock());
    this.records.set(record.id, record);
    this.ordered = undefined;
    this.uploadedIds.push(record.id);
    this.uploads += 1;
    return { status: 200, json: this.toWire(record) };
  }

  /**
   * "List Customer Certificates" takes no parameters and answers a bare JSON array of every record: no paging
   * (VENDOR-NOTES). inferred: query parameters are ignored, as servers commonly do, so a client that invents
   * `page`/`pageSize` gets the whole list every time.
   */
  private list(_ctx: RouteContext): RouteResult {
    this.ordered ??= [...this.records.values()];
    return { status: 200, json: this.ordered.map((r) => this.toWire(r)) };
  }

  private lookup(ctx: RouteContext): CdnCertificateRecord | RouteResult {
    const id = Number(ctx.params.id);
    const record = Number.isInteger(id) ? this.records.get(id) : undefined;
    // inferred: 404 Certificate.NotFound for an unknown id.
    return record ?? error(404, "Certificate.NotFound", "Certificate does not exist.");
  }

  private getOne(ctx: RouteContext): RouteResult {
    const found = this.lookup(ctx);
    return "serialHex" in found ? { status: 200, json: this.toWire(found) } : found;
  }

  private remove(ctx: RouteContext): RouteResult {
    const found = this.lookup(ctx);
    if (!("serialHex" in found)) return found;
    // inferred: a certificate still attached to a service cannot be deleted.
    for (const a of this.attachments.values()) {
      if (a.certificateId === found.id) return error(400, "Certificate.InUse", "Certificate is in use by a service.");
    }
    this.records.delete(found.id);
    this.ordered = undefined;
    const at = this.uploadedIds.indexOf(found.id);
    if (at >= 0) this.uploadedIds.splice(at, 1);
    this.edgeServer?.invalidate(String(found.id));
    // inferred: 204 without a body.
    return { status: 204 };
  }

  private attach(ctx: RouteContext): RouteResult {
    const body = ctx.json();
    const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
    const certificateId = Number(fields.certificateId);
    const domainName = typeof fields.domainName === "string" ? fields.domainName.trim().toLowerCase() : "";
    // inferred: codes and messages for attach failures (the notes give the request, not its errors).
    if (!domainName) return error(400, "DomainName.Invalid", "DomainName is empty or invalid.");
    const record = Number.isInteger(certificateId) ? this.records.get(certificateId) : undefined;
    if (!record) return error(404, "Certificate.NotFound", "Certificate does not exist.");
    if (!recordCovers(record, domainName))
      return error(400, "Certificate.DomainMismatch", "Certificate does not cover the domain name.");
    const serviceId = ctx.params.serviceId ?? "";
    // VENDOR-NOTES: a new attachment replaces the old one for that domain.
    this.attachments.set(domainName, { serviceId, certificateId });
    // inferred: the answer echoes the attachment.
    return { status: 200, json: { serviceId, certificateId, domainName } };
  }

  private edgeSelection(
    name: string,
  ): { key: string; material: NonNullable<CdnCertificateRecord["material"]> } | undefined {
    const wanted = this.servedRecord(name);
    const wantedKey = wanted ? String(wanted.id) : "fallback";
    const host = name.toLowerCase();
    const view = this.edgeViews.get(host) ?? { key: "fallback", pending: 0 };
    let key = wantedKey;
    if (view.key !== wantedKey) {
      const lagging = this.edgeStalled || view.pending < (this.options.edgePropagationHandshakes ?? 0);
      const previous = view.key === "fallback" ? undefined : this.records.get(Number(view.key));
      if (lagging && (view.key === "fallback" || previous?.material)) {
        view.pending += 1;
        this.faults.record("async-stall");
        key = view.key;
      } else {
        view.key = wantedKey;
        view.pending = 0;
      }
    } else {
      view.pending = 0;
    }
    this.edgeViews.set(host, view);
    if (key === "fallback") return undefined;
    const record = this.records.get(Number(key));
    return record?.material ? { key, material: record.material } : undefined;
  }
}

export async function startCdnSandbox(options: CdnSandboxOptions): Promise<CdnSandbox> {
  const sandbox = new CdnSandbox(options);
  await sandbox.start();
  return sandbox;
}

export interface CdnSeedTemplate {
  /** `{i}` is replaced by the record's index, e.g. `host-{i}.bench.example` */
  commonName?: string;
  issuer?: string;
  country?: string;
  organization?: string;
}

/**
 * Adds `count` lightweight records for benchmarks: distinct ids and serials, validTo spread over 1..400 days from
 * the sandbox clock, no key or TLS work per record (100k records take well under a second).
 */
export function seedCdnCertificates(sandbox: CdnSandbox, count: number, template: CdnSeedTemplate = {}): number[] {
  const now = sandbox.clock().getTime();
  const name = template.commonName ?? "host-{i}.seed.example";
  const base = BigInt(now) << 24n;
  // shared, never mutated: one Date per record would dominate the cost at 100k
  const validFrom = new Date(now - 30 * DAY_MS);
  const created = new Date(now);
  const issuerCommonName = template.issuer ?? "Sandbox Seed CA";
  const organization = template.organization ?? "";
  const country = template.country ?? "SG";
  // Built as one literal per record (no spreads): object spreads made 100k records take a second.
  return sandbox.seed(count, (i, id, customerId) => {
    const serial = base + BigInt(i);
    const commonName = name.replaceAll("{i}", String(i));
    return {
      id,
      customerId,
      commonName,
      sans: [commonName],
      serialHex: serial.toString(16).toUpperCase(),
      serialDecimal: serial.toString(10),
      issuerCommonName,
      organization,
      organizationalUnit: "",
      country,
      stateOrProvince: "",
      locality: "",
      validFrom,
      validTo: new Date(now + (1 + (i % 400)) * DAY_MS + 3_600_000),
      created,
    };
  });
}
