/**
 * Yeastar P-Series PBX OpenAPI sandbox: `certificate/create` exactly as yeastar-pbx-certificate-create.txt describes
 * (every "required when" rule enforced), the sibling endpoints VENDOR-NOTES names (token, upload, list, query,
 * get, update, delete, webserver/get|update), the User-Agent rule, the 8-token budget, the one-hour temporary
 * storage and asynchronous `apply`. Errors are `errcode`/`errmsg` with HTTP 200, as on the PBX.
 *
 * Like the PBX, its API port is also its web server's HTTPS port ("the API communication port is the same as the
 * web access port"): a connection that opens with a TLS handshake gets the certificate `webserver/update` selected
 * (a self-signed default until one is), so a client's handshake check reads what a browser would see. Plain HTTP
 * on the same port keeps serving the API, so tests and the demo need no trust for the default certificate.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import type { CertificateMaterial, Clock } from "../../model.js";
import {
  DNS_PROVIDERS,
  YEASTAR_LIMITS,
  YeastarErrcode,
  checkAuthInfo,
  type AuthInfo,
  type YeastarApplyStatus,
  type YeastarCaType,
  type YeastarCertificate,
  type YeastarCertificateDetail,
  type YeastarCertificateType,
} from "../../providers/yeastar/types.js";
import { selfSignedCertificate } from "../ca.js";
import { SandboxServer, type RouteContext, type RouteHandler, type RouteResult } from "../server.js";
import { commonNameOf, normalizedSerial, readImportedFile } from "./pem.js";
import { TokenLedger } from "./tokens.js";

/** The part of TestCA the sandbox needs: it signs the certificate an `apply` ends with. */
export interface YeastarSandboxCa {
  issue(request: { commonName: string; sans?: string[]; days?: number }): Promise<CertificateMaterial>;
}

export type ApplyOutcome = "success" | "fail" | "stall";

export interface YeastarSandboxOptions {
  ca: YeastarSandboxCa;
  clock?: Clock;
  random?: () => number;
  /** demo credentials (Client ID / Client Secret) */
  clientId?: string;
  clientSecret?: string;
  /** Software Edition: 8 valid access tokens per application */
  maxAccessTokens?: number;
  /** how a new `apply` ends: issued, failed, or never finishes (async-stall) */
  applyOutcome?: ApplyOutcome;
  /** an `apply` completes after this many `certificate/query` reads of it ... */
  applyPolls?: number;
  /** ... or once this much clock time has passed, whichever comes first */
  applyDelayMs?: number;
  /** validity of certificates the sandbox issues for `apply` */
  issueDays?: number;
  /** inferred: consecutive failed logins before 70004 "account IP blocked" */
  blockAfterFailedLogins?: number;
}

// a type alias (not an interface) so it passes as the provider's credentials record
export type YeastarSandboxCredentials = {
  username: string;
  password: string;
};

/** One certificate the PBX holds, as the inspector shows it. */
export interface SandboxCertificate {
  id: number;
  name: string;
  type: YeastarCertificateType;
  caType: YeastarCaType;
  issueTo: string;
  applyStatus: YeastarApplyStatus;
  applyTipCode?: number;
  autoRenewal: 0 | 1;
  dnsProvider: string;
  authInfo: AuthInfo[];
  serial: string;
  notAfter?: Date;
  /** the imported/issued certificate and chain as PEM (never the key) */
  pem?: string;
  createdAt: Date;
}

/** What the web server presents: the selected certificate with its key. */
interface ServedMaterial {
  cert: string;
  key: string;
  serial: string;
}

interface ApplyWork {
  outcome: ApplyOutcome;
  polls: number;
  stallRecorded: boolean;
}

interface TempFile {
  text: string;
  type: YeastarCertificateType;
  uploadedAt: number;
}

export const YEASTAR_BASE = "/openapi/v1.0";
/** temporary storage keeps uploads for an hour (VENDOR-NOTES) */
export const TEMP_STORAGE_MS = 3_600_000;
// inferred: the docs mention a file-size error (4000x) but not the limit.
const MAX_UPLOAD_BYTES = 1_048_576;
// inferred: list page size when none is given, and its cap.
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const SORT_FIELDS = ["id", "name", "issue_to", "expiration", "type"] as const;
const DOMAIN = /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

function ok(body: Record<string, unknown> = {}): RouteResult {
  return { json: { errcode: 0, errmsg: "SUCCESS", ...body } };
}

// inferred: the docs show errmsg "FAILURE" only; `param` and `detail` name what to fix.
function fail(errcode: number, param?: string, detail?: string): RouteResult {
  return {
    json: {
      errcode,
      errmsg: "FAILURE",
      ...(param === undefined ? {} : { param }),
      ...(detail === undefined ? {} : { detail }),
    },
  };
}

function paramError(param: string, detail: string): RouteResult {
  return fail(YeastarErrcode.PARAMETER_ERROR, param, detail);
}

/** `YYYY-MM-DD HH:mm:ss` UTC (inferred format). */
export function yeastarTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace("T", " ");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export class YeastarSandbox extends SandboxServer {
  readonly credentials: YeastarSandboxCredentials;
  readonly tokens: TokenLedger;
  applyOutcome: ApplyOutcome;
  applyPolls: number;
  applyDelayMs: number;
  private readonly ca: YeastarSandboxCa;
  private readonly issueDays: number;
  private readonly blockAfter: number;
  private failedLogins = 0;
  private readonly temp = new Map<string, TempFile>();
  private readonly records = new Map<number, SandboxCertificate>();
  private readonly work = new Map<number, ApplyWork>();
  private nextId = 1;
  /** the certificate `webserver/update` selected; undefined = the self-signed default */
  private httpsCertId: number | undefined;
  /** keys stay inside the PBX: kept apart from the records the inspectors copy */
  private readonly keys = new Map<number, string>();
  private defaultMaterial: ServedMaterial | undefined;
  private tls: HttpsServer | undefined;
  /** TLS handshakes completed on the API port (the client's verify makes one) */
  handshakes = 0;
  /** requests refused for a missing User-Agent */
  missingUserAgent = 0;

  constructor(options: YeastarSandboxOptions) {
    super("yeastar", { clock: options.clock, random: options.random });
    this.ca = options.ca;
    this.credentials = {
      username: options.clientId ?? "certrelay-demo-client",
      password: options.clientSecret ?? "demo-client-secret-0123456789",
    };
    this.tokens = new TokenLedger(this.clock, options.maxAccessTokens ?? 8);
    this.applyOutcome = options.applyOutcome ?? "success";
    this.applyPolls = options.applyPolls ?? 2;
    this.applyDelayMs = options.applyDelayMs ?? 120_000;
    this.issueDays = options.issueDays ?? 90;
    this.blockAfter = options.blockAfterFailedLogins ?? 5;

    this.route(
      "POST",
      `${YEASTAR_BASE}/get_token`,
      this.open((c) => this.getToken(c)),
    );
    this.route(
      "POST",
      `${YEASTAR_BASE}/refresh_token`,
      this.open((c) => this.refreshToken(c)),
    );
    this.route(
      "GET",
      `${YEASTAR_BASE}/del_token`,
      this.open((c) => this.delToken(c)),
    );
    this.route(
      "POST",
      `${YEASTAR_BASE}/certificate/upload`,
      this.authed((c) => this.upload(c)),
    );
    this.route(
      "POST",
      `${YEASTAR_BASE}/certificate/create`,
      this.authed((c) => this.create(c)),
    );
    this.route(
      "GET",
      `${YEASTAR_BASE}/certificate/list`,
      this.authed((c) => this.list(c)),
    );
    this.route(
      "GET",
      `${YEASTAR_BASE}/certificate/query`,
      this.authed((c) => this.query(c)),
    );
    this.route(
      "GET",
      `${YEASTAR_BASE}/certificate/delete`,
      this.authed((c) => this.remove(c)),
    );
    this.route(
      "GET",
      `${YEASTAR_BASE}/certificate/get`,
      this.authed((c) => this.getOne(c)),
    );
    this.route(
      "POST",
      `${YEASTAR_BASE}/certificate/update`,
      this.authed((c) => this.update(c)),
    );
    this.route(
      "GET",
      `${YEASTAR_BASE}/webserver/get`,
      this.authed(() => this.webserverGet()),
    );
    this.route(
      "POST",
      `${YEASTAR_BASE}/webserver/update`,
      this.authed((c) => this.webserverUpdate(c)),
    );
  }

  // ---- the API port's TLS side --------------------------------------------------------------------------------

  override async start(port = 0): Promise<string> {
    const made = await selfSignedCertificate({ commonName: "Yeastar P-Series default", now: this.clock() });
    const leaf = readImportedFile(`${made.certificate}\n${made.privateKey}`, "server");
    if ("detail" in leaf) throw new Error(`sandbox default certificate is unusable: ${leaf.detail}`);
    this.defaultMaterial = { cert: made.certificate, key: made.privateKey, serial: normalizedSerial(leaf.leaf) };
    return super.start(port);
  }

  /**
   * One port, two protocols: the first byte of a TLS connection is a handshake record (0x16); anything else is
   * plain HTTP. Both end up in the same API handler.
   */
  protected override createListener(handler: (req: IncomingMessage, res: ServerResponse) => void): NetServer {
    const served = this.defaultMaterial;
    if (!served) throw new Error("yeastar sandbox: start() prepares the default certificate first");
    const http = createHttpServer(handler);
    const tls = createHttpsServer({ cert: served.cert, key: served.key }, handler);
    tls.on("secureConnection", () => (this.handshakes += 1));
    // a client that hangs up mid-handshake (a probe reads the certificate and leaves) must not take the sandbox down
    tls.on("tlsClientError", () => {});
    this.tls = tls;
    return createNetServer((socket: Socket) => {
      socket.once("readable", () => {
        const first = socket.read(1) as Buffer | null;
        if (first === null) return void socket.destroy();
        socket.unshift(first);
        (first[0] === 0x16 ? tls : http).emit("connection", socket);
      });
      socket.on("error", () => {});
    });
  }

  /** The certificate the web server presents now (what a handshake to the API port shows). */
  private served(): ServedMaterial {
    const record = this.httpsCertId === undefined ? undefined : this.records.get(this.httpsCertId);
    const key = record ? this.keys.get(record.id) : undefined;
    if (record?.pem && key) return { cert: record.pem, key, serial: record.serial };
    if (!this.defaultMaterial) throw new Error("yeastar sandbox is not started");
    return this.defaultMaterial;
  }

  private reloadTls(): void {
    const m = this.served();
    this.tls?.setSecureContext({ cert: m.cert, key: m.key });
  }

  private select(id: number | undefined): void {
    this.httpsCertId = id;
    this.reloadTls();
  }

  // ---- inspectors -------------------------------------------------------------------------------------------

  /** The server certificate `webserver/update` selected for the web server (undefined: the self-signed default). */
  inUse(): SandboxCertificate | undefined {
    return this.httpsCertId === undefined ? undefined : this.copy(this.records.get(this.httpsCertId));
  }

  /** Serial of the certificate the API port's TLS side presents now. */
  servedSerial(): string {
    return this.served().serial;
  }

  /**
   * An administrator switching the web server's certificate in the PBX's UI (`"default"` = the self-signed one):
   * what a drift test does behind certrelay's back.
   */
  useHttpsCert(name: string): void {
    if (name === "default") return this.select(undefined);
    const record = [...this.records.values()].find((r) => r.type === "server" && r.name === name);
    if (!record) throw new Error(`no server certificate named ${name}`);
    this.select(record.id);
  }

  certificates(type?: YeastarCertificateType): SandboxCertificate[] {
    return [...this.records.values()]
      .filter((r) => type === undefined || r.type === type)
      .map((r) => ({ ...r, authInfo: [...r.authInfo] }));
  }

  /** Names in temporary storage (purged after an hour on the clock). */
  tempFiles(): string[] {
    this.purgeTemp();
    return [...this.temp.keys()];
  }

  /** Chaos knob: every access token expires now; clients must refresh. */
  expireTokens(): number {
    const n = this.tokens.expireAll();
    if (n > 0) this.faults.record("token-expiry");
    return n;
  }

  /** Chaos knob: every token pair is revoked (refresh tokens too); clients must log in again. */
  revokeTokens(): number {
    const n = this.tokens.revokeAll();
    if (n > 0) this.faults.record("token-expiry");
    return n;
  }

  // ---- guards -----------------------------------------------------------------------------------------------

  /** The PBX refuses any request without a User-Agent (VENDOR-NOTES). */
  private userAgentMissing(ctx: RouteContext): RouteResult | undefined {
    const ua = ctx.headers["user-agent"];
    if (typeof ua === "string" && ua.trim() !== "") return undefined;
    this.missingUserAgent += 1;
    // inferred: the answer's shape is not documented; "access denied" with the header named.
    return fail(
      YeastarErrcode.ACCESS_DENIED,
      "User-Agent",
      "every request must carry a User-Agent header (e.g. OpenAPI)",
    );
  }

  private open(handler: RouteHandler): RouteHandler {
    return (ctx) => this.userAgentMissing(ctx) ?? handler(ctx);
  }

  private authed(handler: RouteHandler): RouteHandler {
    return (ctx) => {
      const refused = this.userAgentMissing(ctx);
      if (refused) return refused;
      const check = this.tokens.check(ctx.query.get("access_token"));
      // inferred: a request with no token at all is "access denied"; unknown/expired/revoked is "token expired".
      if (check === "missing")
        return fail(YeastarErrcode.ACCESS_DENIED, "access_token", "access_token is required in the query");
      if (check === "expired")
        return fail(YeastarErrcode.TOKEN_EXPIRED, "access_token", "the access token has expired");
      return handler(ctx);
    };
  }

  // ---- tokens -----------------------------------------------------------------------------------------------

  private getToken(ctx: RouteContext): RouteResult {
    const body = ctx.json();
    if (!isRecord(body) || typeof body.username !== "string" || typeof body.password !== "string") {
      return paramError("username", "username (Client ID) and password (Client Secret) are required");
    }
    // inferred: repeated failed logins block the caller like the PBX's login protection does.
    if (this.failedLogins >= this.blockAfter) return fail(YeastarErrcode.IP_BLOCKED);
    if (body.username !== this.credentials.username || body.password !== this.credentials.password) {
      this.failedLogins += 1;
      // inferred: bad Client ID/Secret answer "access denied".
      return fail(YeastarErrcode.ACCESS_DENIED);
    }
    this.failedLogins = 0;
    const issued = this.tokens.issue();
    // inferred: the budget refusal's code is not documented; "maximum limitation exceeded" fits.
    if (!issued) {
      return fail(
        YeastarErrcode.LIMIT_EXCEEDED,
        "access_token",
        `at most ${this.tokens.maxValidAccessTokens} valid access tokens per application`,
      );
    }
    return ok({ ...issued });
  }

  private refreshToken(ctx: RouteContext): RouteResult {
    const body = ctx.json();
    if (!isRecord(body) || typeof body.refresh_token !== "string")
      return paramError("refresh_token", "refresh_token is required");
    const issued = this.tokens.refresh(body.refresh_token);
    // inferred: an expired or unknown refresh token answers 10004 like an expired access token.
    if (!issued)
      return fail(YeastarErrcode.TOKEN_EXPIRED, "refresh_token", "the refresh token has expired; call get_token");
    return ok({ ...issued });
  }

  private delToken(ctx: RouteContext): RouteResult {
    const token = ctx.query.get("access_token");
    if (!token) return fail(YeastarErrcode.ACCESS_DENIED, "access_token", "access_token is required in the query");
    if (!this.tokens.revoke(token))
      return fail(YeastarErrcode.TOKEN_EXPIRED, "access_token", "the access token has expired");
    return ok();
  }

  // ---- certificates -----------------------------------------------------------------------------------------

  private purgeTemp(): void {
    const now = this.clock().getTime();
    for (const [name, file] of this.temp) if (now - file.uploadedAt >= TEMP_STORAGE_MS) this.temp.delete(name);
  }

  private async upload(ctx: RouteContext): Promise<RouteResult> {
    const contentType = ctx.headers["content-type"] ?? "";
    if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
      return paramError("file", "certificate/upload takes multipart/form-data with fields type and file");
    }
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(ctx.body), { headers: { "content-type": contentType } }).formData();
    } catch {
      return paramError("file", "the multipart body does not parse");
    }
    const type = form.get("type");
    if (type !== "trusted" && type !== "server") return paramError("type", "type must be trusted or server");
    const file = form.get("file");
    if (file === null || typeof file === "string") return paramError("file", "file is required (a file part)");
    if (file.size > MAX_UPLOAD_BYTES)
      return fail(YeastarErrcode.FILE_TOO_LARGE, "file", `the file exceeds ${MAX_UPLOAD_BYTES} bytes`);
    // The docs' example sends a client path (/D:/project/certificate/x.crt) and gets the base name back.
    const name = (file.name.split(/[\\/]/).pop() ?? "").trim();
    if (name === "") return paramError("file", "the file part needs a file name");
    this.purgeTemp();
    // inferred: a second upload under the same name replaces the first.
    this.temp.set(name, { text: await file.text(), type, uploadedAt: this.clock().getTime() });
    return ok({ file: name });
  }

  private async create(ctx: RouteContext): Promise<RouteResult> {
    const body = ctx.json();
    if (!isRecord(body)) return paramError("type", "the body must be a JSON object");
    const {
      type,
      ca_type: caType,
      name,
      issue_to: issueTo,
      auto_renewal: autoRenewal,
      dns_provider: dnsProvider,
      auth_info_list: authInfoList,
    } = body;

    if (type === undefined) return paramError("type", "type is required");
    if (type !== "trusted" && type !== "server") return paramError("type", "type must be trusted or server");
    if (caType !== undefined && caType !== "upload" && caType !== "apply")
      return paramError("ca_type", "ca_type must be upload or apply");
    if (type === "server" && caType === undefined)
      return paramError("ca_type", "ca_type is required when type is server");
    const importing = type === "trusted" || caType === "upload";
    const applying = type === "server" && caType === "apply";
    if (importing && (typeof name !== "string" || name === "")) {
      return paramError(
        "name",
        type === "trusted"
          ? "name is required when type is trusted"
          : "name is required when type is server and ca_type is upload",
      );
    }
    if (applying && (typeof issueTo !== "string" || issueTo === ""))
      return paramError("issue_to", "issue_to is required when type is server and ca_type is apply");
    if (applying && !DOMAIN.test(String(issueTo))) return paramError("issue_to", "issue_to must be a domain name");
    if (autoRenewal !== undefined && autoRenewal !== 0 && autoRenewal !== 1)
      return paramError("auto_renewal", "auto_renewal must be 0 or 1");
    const needsDns = autoRenewal === 1 || applying;
    const why = applying ? "when type is server and ca_type is apply" : "when auto_renewal is 1";
    if (needsDns && (typeof dnsProvider !== "string" || dnsProvider === ""))
      return paramError("dns_provider", `dns_provider is required ${why}`);
    if (needsDns && (!Array.isArray(authInfoList) || authInfoList.length === 0))
      return paramError("auth_info_list", `auth_info_list is required ${why}`);
    let authInfo: AuthInfo[] = [];
    if (needsDns) {
      const parsed = parseAuthInfo(authInfoList);
      if (!Array.isArray(parsed)) return paramError(parsed.param, parsed.detail);
      const problem = checkAuthInfo(String(dnsProvider), parsed);
      if (problem) return paramError(problem.param, problem.detail);
      authInfo = parsed;
    } else if (dnsProvider !== undefined && (typeof dnsProvider !== "string" || !(dnsProvider in DNS_PROVIDERS))) {
      return paramError(
        "dns_provider",
        `unsupported dns_provider; supported: ${Object.keys(DNS_PROVIDERS).join(", ")}`,
      );
    }

    const certType: YeastarCertificateType = type;
    const existing = [...this.records.values()].filter((r) => r.type === certType).length;
    if (existing >= YEASTAR_LIMITS[certType]) {
      const what = certType === "server" ? "PBX server certificates" : "trusted CA certificates";
      return fail(YeastarErrcode.LIMIT_EXCEEDED, "type", `the PBX holds at most ${YEASTAR_LIMITS[certType]} ${what}`);
    }

    if (applying) return this.startApply(String(issueTo), String(dnsProvider), authInfo);
    return this.importFile(
      certType,
      String(name),
      certType === "server" && autoRenewal === 1 ? 1 : 0,
      needsDns ? String(dnsProvider) : "",
      authInfo,
    );
  }

  private importFile(
    type: YeastarCertificateType,
    name: string,
    autoRenewal: 0 | 1,
    dnsProvider: string,
    authInfo: AuthInfo[],
  ): RouteResult {
    this.purgeTemp();
    const file = this.temp.get(name);
    if (!file)
      return fail(
        YeastarErrcode.NOT_FOUND,
        "name",
        "no file of this name in temporary storage; upload it first (uploads are purged after an hour)",
      );
    // inferred: the upload's type must match the create's type.
    if (file.type !== type) return paramError("type", `the file was uploaded as ${file.type}`);
    if ([...this.records.values()].some((r) => r.name === name))
      return fail(YeastarErrcode.DUPLICATE, "name", "a certificate of this name already exists");
    const read = readImportedFile(file.text, type);
    if ("detail" in read) return fail(YeastarErrcode.FILE_INVALID, "name", read.detail);
    const record = this.add({
      name,
      type,
      caType: "upload",
      issueTo: commonNameOf(read.leaf),
      applyStatus: "issuance_success",
      autoRenewal,
      dnsProvider,
      authInfo,
      serial: normalizedSerial(read.leaf),
      notAfter: new Date(read.leaf.validTo),
      // the inspector shows certificates only; the key stays inside the PBX
      pem: [read.leaf, ...read.chain].map((c) => c.toString()).join(""),
    });
    if (read.key) this.keys.set(record.id, read.key.export({ format: "pem", type: "pkcs8" }).toString());
    // inferred: an import is consumed from temporary storage.
    this.temp.delete(name);
    // Adding a certificate only lists it: the web server keeps what webserver/update chose (VENDOR-NOTES).
    return ok({ name: record.name, apply_status: record.applyStatus });
  }

  private startApply(issueTo: string, dnsProvider: string, authInfo: AuthInfo[]): RouteResult {
    // inferred: the PBX names an applied certificate after the domain, as the docs' example shows.
    const name = `${issueTo.replace(/^\*\./, "_.")}.pem`;
    if ([...this.records.values()].some((r) => r.name === name))
      return fail(YeastarErrcode.DUPLICATE, "issue_to", "a certificate for this domain already exists");
    const record = this.add({
      name,
      type: "server",
      caType: "apply",
      issueTo,
      applyStatus: "issuing",
      autoRenewal: 1,
      dnsProvider,
      authInfo,
      serial: "",
    });
    this.work.set(record.id, { outcome: this.applyOutcome, polls: 0, stallRecorded: false });
    return ok({ name: record.name, apply_status: record.applyStatus });
  }

  private add(fields: Omit<SandboxCertificate, "id" | "createdAt">): SandboxCertificate {
    const record: SandboxCertificate = { ...fields, id: this.nextId++, createdAt: this.clock() };
    this.records.set(record.id, record);
    return record;
  }

  /** Move an `apply` on: each query read counts as a poll; clock time counts too. */
  private async progress(record: SandboxCertificate): Promise<void> {
    const work = this.work.get(record.id);
    if (!work || record.applyStatus !== "issuing") return;
    work.polls += 1;
    const due =
      work.polls >= this.applyPolls || this.clock().getTime() - record.createdAt.getTime() >= this.applyDelayMs;
    if (!due) return;
    if (work.outcome === "stall") {
      if (!work.stallRecorded) this.faults.record("async-stall");
      work.stallRecorded = true;
      return;
    }
    this.work.delete(record.id);
    if (work.outcome === "fail") {
      record.applyStatus = "issuance_fail";
      // inferred: the tip code is an integer generated by the DNS provider; its values are not documented.
      record.applyTipCode = 1001;
      return;
    }
    const material = await this.ca.issue({ commonName: record.issueTo, sans: [record.issueTo], days: this.issueDays });
    const read = readImportedFile(`${material.certificate}\n${material.privateKey}\n${material.chain}`, "server");
    if ("detail" in read) throw new Error(`sandbox CA issued an unusable certificate: ${read.detail}`);
    record.applyStatus = "issuance_success";
    record.serial = normalizedSerial(read.leaf);
    record.notAfter = new Date(read.leaf.validTo);
    record.pem = `${material.certificate}\n${material.chain}`;
    this.keys.set(record.id, material.privateKey);
    // an issued certificate is listed, not selected: webserver/update puts it into use
    if (this.httpsCertId === record.id) this.reloadTls();
  }

  private wire(record: SandboxCertificate): YeastarCertificate {
    return {
      id: record.id,
      name: record.name,
      type: record.type,
      issue_to: record.issueTo,
      // inferred: empty until an applied certificate is issued
      expiration: record.notAfter ? yeastarTime(record.notAfter) : "",
      ca_type: record.caType,
      auto_renewal: record.autoRenewal,
      dns_provider: record.dnsProvider,
      apply_status: record.applyStatus,
    };
  }

  private detail(record: SandboxCertificate): YeastarCertificateDetail {
    const secret = DNS_PROVIDERS[record.dnsProvider]?.secret ?? [];
    return {
      ...this.wire(record),
      ...(record.applyTipCode === undefined ? {} : { apply_tip_code: record.applyTipCode }),
      // Never echo secrets back: string values of secret keys are masked.
      auth_info_list: record.authInfo.map((a) =>
        a.sv !== undefined && secret.includes(a.k) ? { k: a.k, sv: "******" } : { ...a },
      ),
    };
  }

  private list(ctx: RouteContext): RouteResult {
    const q = ctx.query;
    const page = intParam(q.get("page"), 1);
    const pageSize = intParam(q.get("page_size"), DEFAULT_PAGE_SIZE);
    if (page === undefined || page < 1) return paramError("page", "page must be a positive integer");
    if (pageSize === undefined || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
      return paramError("page_size", `page_size must be 1..${MAX_PAGE_SIZE}`);
    const sortBy = q.get("sort_by") ?? "id";
    if (!(SORT_FIELDS as readonly string[]).includes(sortBy))
      return paramError("sort_by", `sort_by must be one of ${SORT_FIELDS.join(", ")}`);
    const orderBy = q.get("order_by") ?? "asc";
    if (orderBy !== "asc" && orderBy !== "desc") return paramError("order_by", "order_by must be asc or desc");
    const type = q.get("type");
    if (type !== null && type !== "trusted" && type !== "server")
      return paramError("type", "type must be trusted or server");
    const rows = [...this.records.values()].filter((r) => type === null || r.type === type).map((r) => this.wire(r));
    const key = sortBy as (typeof SORT_FIELDS)[number];
    rows.sort((a, b) => {
      const x = a[key];
      const y = b[key];
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return (orderBy === "asc" ? c : -c) || a.id - b.id;
    });
    const start = (page - 1) * pageSize;
    return ok({ total_number: rows.length, certificate_list: rows.slice(start, start + pageSize) });
  }

  private async query(ctx: RouteContext): Promise<RouteResult> {
    const raw = ctx.query.get("ids");
    if (!raw) return paramError("ids", "ids is required (comma-separated certificate ids)");
    const ids = raw.split(",").map((s) => Number(s.trim()));
    if (ids.some((n) => !Number.isInteger(n) || n < 1))
      return paramError("ids", "ids must be comma-separated certificate ids");
    const found: YeastarCertificateDetail[] = [];
    for (const id of ids) {
      const record = this.records.get(id);
      if (!record) continue;
      await this.progress(record);
      found.push(this.detail(record));
    }
    // inferred: unknown ids are skipped; none at all is "data not found".
    if (found.length === 0) return fail(YeastarErrcode.NOT_FOUND, "ids", "no certificate with these ids");
    return ok({ certificate_list: found });
  }

  private remove(ctx: RouteContext): RouteResult {
    const id = Number(ctx.query.get("id"));
    if (!Number.isInteger(id) || id < 1) return paramError("id", "id is required (a certificate id)");
    const record = this.records.get(id);
    if (!record) return fail(YeastarErrcode.NOT_FOUND, "id", "no certificate with this id");
    // inferred: the PBX will not delete the certificate its web server is using.
    if (id === this.httpsCertId)
      return fail(YeastarErrcode.OPERATION_FAILED, "id", "the certificate is in use by the PBX web server");
    this.records.delete(id);
    this.keys.delete(id);
    this.work.delete(id);
    // The flags are integers (1 = required), as the Delete a Certificate page's example shows. inferred: removing a
    // server certificate needs the configuration applied; nothing needs a reboot.
    return ok({ reboot: 0, apply: record.type === "server" ? 1 : 0 });
  }

  /** `GET certificate/get?id=N`: one certificate as `certificate` (Query Information of a Certificate). */
  private async getOne(ctx: RouteContext): Promise<RouteResult> {
    const id = Number(ctx.query.get("id"));
    if (!Number.isInteger(id) || id < 1) return paramError("id", "id is required (a certificate id)");
    const record = this.records.get(id);
    // inferred: an unknown id is "data not found", as for certificate/delete.
    if (!record) return fail(YeastarErrcode.NOT_FOUND, "id", "no certificate with this id");
    await this.progress(record);
    return ok({ certificate: this.detail(record) });
  }

  /**
   * `POST certificate/update {id, name, ...}` (Edit a Certificate): with `name`, the freshly uploaded file
   * replaces the certificate's file, keeping its id. inferred: the record takes the new file's name, and a web
   * server that used this certificate keeps using it (it follows the id), so `webserver/get` names the new file.
   */
  private update(ctx: RouteContext): RouteResult {
    const body = ctx.json();
    if (!isRecord(body)) return paramError("id", "the body must be a JSON object");
    const { id, name, auto_renewal: autoRenewal, dns_provider: dnsProvider, auth_info_list: authInfoList } = body;
    if (typeof id !== "number" || !Number.isInteger(id) || id < 1)
      return paramError("id", "id is required (an integer certificate id)");
    const record = this.records.get(id);
    if (!record) return fail(YeastarErrcode.NOT_FOUND, "id", "no certificate with this id");
    if (name !== undefined && (typeof name !== "string" || name === ""))
      return paramError("name", "name must be the file name certificate/upload answered");
    if (autoRenewal !== undefined && autoRenewal !== 0 && autoRenewal !== 1)
      return paramError("auto_renewal", "auto_renewal must be 0 or 1");
    let authInfo = record.authInfo;
    if (autoRenewal === 1) {
      if (typeof dnsProvider !== "string" || dnsProvider === "")
        return paramError("dns_provider", "dns_provider is required when auto_renewal is 1");
      const parsed = parseAuthInfo(authInfoList);
      if (!Array.isArray(parsed)) return paramError(parsed.param, parsed.detail);
      const problem = checkAuthInfo(dnsProvider, parsed);
      if (problem) return paramError(problem.param, problem.detail);
      authInfo = parsed;
    }
    if (typeof name === "string") {
      this.purgeTemp();
      const file = this.temp.get(name);
      if (!file)
        return fail(
          YeastarErrcode.NOT_FOUND,
          "name",
          "no file of this name in temporary storage; upload it first (uploads are purged after an hour)",
        );
      // inferred: only a server certificate's file can be replaced this way, with a file uploaded as server.
      if (record.type !== "server" || file.type !== "server")
        return paramError(
          "name",
          "certificate/update replaces PBX server certificates with a file uploaded as type server",
        );
      if (name !== record.name && [...this.records.values()].some((r) => r.name === name))
        return fail(YeastarErrcode.DUPLICATE, "name", "a certificate of this name already exists");
      const read = readImportedFile(file.text, "server");
      if ("detail" in read) return fail(YeastarErrcode.FILE_INVALID, "name", read.detail);
      record.name = name;
      record.caType = "upload";
      record.issueTo = commonNameOf(read.leaf);
      record.applyStatus = "issuance_success";
      delete record.applyTipCode;
      record.serial = normalizedSerial(read.leaf);
      record.notAfter = new Date(read.leaf.validTo);
      record.pem = [read.leaf, ...read.chain].map((c) => c.toString()).join("");
      if (read.key) this.keys.set(record.id, read.key.export({ format: "pem", type: "pkcs8" }).toString());
      this.work.delete(record.id);
      this.temp.delete(name);
    }
    if (autoRenewal !== undefined) {
      record.autoRenewal = autoRenewal;
      record.dnsProvider = autoRenewal === 1 ? String(dnsProvider) : record.dnsProvider;
      record.authInfo = authInfo;
    }
    if (record.id === this.httpsCertId) this.reloadTls();
    return ok();
  }

  /** `GET webserver/get` (Get Web Server Certificate Setting): the selected certificate's name, or `default`. */
  private webserverGet(): RouteResult {
    const record = this.httpsCertId === undefined ? undefined : this.records.get(this.httpsCertId);
    return ok({ https_cert: record?.name ?? "default" });
  }

  /** `POST webserver/update {"https_cert": name}` (Update Web Server Certificate Setting); `default` = self-signed. */
  private webserverUpdate(ctx: RouteContext): RouteResult {
    const body = ctx.json();
    if (!isRecord(body) || typeof body.https_cert !== "string" || body.https_cert === "")
      return paramError("https_cert", "https_cert is required (a certificate name, or default)");
    const name = body.https_cert;
    if (name === "default") {
      this.select(undefined);
      return ok();
    }
    const record = [...this.records.values()].find((r) => r.name === name);
    // inferred: the refusals' codes are not documented; an unknown name is "data not found".
    if (!record)
      return fail(
        YeastarErrcode.NOT_FOUND,
        "https_cert",
        "no certificate of this name; add it with certificate/create first",
      );
    if (record.type !== "server")
      return paramError("https_cert", "the web server can only use a PBX server certificate");
    if (record.applyStatus !== "issuance_success")
      return fail(
        YeastarErrcode.OPERATION_FAILED,
        "https_cert",
        `the certificate is not issued (${record.applyStatus})`,
      );
    this.select(record.id);
    return ok();
  }

  private copy(record: SandboxCertificate | undefined): SandboxCertificate | undefined {
    return record ? { ...record, authInfo: [...record.authInfo] } : undefined;
  }
}

function intParam(raw: string | null, fallback: number): number | undefined {
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  return Number.isInteger(n) ? n : undefined;
}

function parseAuthInfo(value: unknown): AuthInfo[] | { param: string; detail: string } {
  if (!Array.isArray(value)) return { param: "auth_info_list", detail: "auth_info_list must be an array" };
  const out: AuthInfo[] = [];
  for (const item of value) {
    if (!isRecord(item) || typeof item.k !== "string")
      return { param: "auth_info_list.k", detail: "every auth_info_list item needs a key k" };
    const info: AuthInfo = { k: item.k };
    if (item.iv !== undefined) {
      if (typeof item.iv !== "number") return { param: `auth_info_list.${item.k}`, detail: "iv must be an integer" };
      info.iv = item.iv;
    }
    if (item.sv !== undefined) {
      if (typeof item.sv !== "string") return { param: `auth_info_list.${item.k}`, detail: "sv must be a string" };
      info.sv = item.sv;
    }
    if (item.bv !== undefined) {
      if (typeof item.bv !== "boolean") return { param: `auth_info_list.${item.k}`, detail: "bv must be a boolean" };
      info.bv = item.bv;
    }
    out.push(info);
  }
  return out;
}

export async function startYeastarSandbox(options: YeastarSandboxOptions): Promise<YeastarSandbox> {
  const sandbox = new YeastarSandbox(options);
  await sandbox.start();
  return sandbox;
}
