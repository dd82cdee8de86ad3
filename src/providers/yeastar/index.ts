/**
 * The Yeastar P-Series PBX as the pipeline sees it: a Target that imports a server certificate and puts it into use
 * (adding one only lists it; `webserver/update` selects it, and a rotation replaces the in-use certificate in place
 * with `certificate/update`), finds its own earlier imports by a deterministic name, respects the 3-server /
 * 20-trusted limits, and verifies with `webserver/get` plus a TLS handshake to the PBX's own HTTPS port. Plus
 * `applyForCertificate`, the PBX's own ACME application (the PBX keeps the key, so nothing comes back to store).
 */
import { CertrelayError, ErrorCodes, isVendorError } from "../../errors.js";
import type { CertificateMaterial, DeployResult, DeployedCertificate, Target, VerifyResult } from "../../model.js";
import { certFacts, expireInDays, normalizeSerial, parseBundle, type CertFacts } from "../../x509/index.js";
import type { SessionCache } from "../../store/sessions.js";
import { pollUntilSettled } from "../../pipeline/poll.js";
import { probeEdge } from "../cdn/edge-probe.js";
import type { ProviderContext } from "../context.js";
import { answerLost, writeOnce } from "../kit/landed.js";
import { allPages, eachItem, type PagingOptions } from "../kit/paging.js";
import { YeastarClient } from "./client.js";
import { VENDOR } from "./errors.js";
import {
  DEFAULT_HTTPS_CERT,
  YEASTAR_LIMITS,
  checkAuthInfo,
  type AuthInfo,
  type YeastarCertificate,
  type YeastarCertificateType,
  type YeastarDeleteResponse,
} from "./types.js";

export { DNS_PROVIDERS, DNS_TUNING_KEYS, checkAuthInfo } from "./types.js";

export interface YeastarTargetSettings {
  /** e.g. `https://192.168.5.150:8088` (the `/openapi/v1.0` prefix is added) */
  endpoint: string;
  /** `server` (default): the PBX web server's certificate; `trusted`: a trusted CA certificate */
  certificateType?: "server" | "trusted" | undefined;
  /** at the PBX's limit, delete the oldest-expiring certificate the web server does not use instead of failing */
  pruneOld?: boolean | undefined;
  /** sent on every request (the PBX refuses requests without one); default `OpenAPI` */
  userAgent?: string | undefined;
}

/** Keys: `username` = the PBX API Client ID, `password` = its Client Secret (checked at creation). */
export type YeastarCredentials = Record<string, string>;

export interface YeastarApplyRequest {
  /** the domain the PBX applies for (`issue_to`) */
  domain: string;
  /** lego flag name, e.g. `alidns`, `cloudflare`, `route53` */
  dnsProvider: string;
  /** the provider's parameters; numbers go as `iv`, strings as `sv`, booleans as `bv` */
  authInfo: Record<string, string | number | boolean>;
}

export interface YeastarApplyResult {
  /** the certificate's name on the PBX */
  name: string;
  status: "issued" | "pending" | "failed";
  detail: string;
  /** the certificate's id on the PBX ("" when it is not listed yet) */
  id: string;
  /** set once issued */
  notAfter?: Date;
  /** things the user must do, e.g. apply the PBX configuration after certrelay deleted a certificate */
  notes?: string[];
}

const LIST_PAGE_SIZE = 100;
const NAME_PATTERN = /^certrelay-(.+)-([0-9A-F]+)\.pem$/;

/** Deterministic upload name, so a re-run finds its earlier import: `certrelay-<cn>-<serial>.pem`. */
export function certrelayName(facts: Pick<CertFacts, "commonName" | "serial">): string {
  const cn = (facts.commonName || "certificate")
    .toLowerCase()
    .replace(/^\*\./, "wildcard.")
    .replace(/[^a-z0-9.-]+/g, "-");
  return `certrelay-${cn}-${facts.serial}.pem`;
}

/** The serial a certrelay name carries, or "" for certificates certrelay did not import. */
export function serialFromName(name: string): string {
  return NAME_PATTERN.exec(name)?.[2] ?? "";
}

/** `YYYY-MM-DD HH:mm:ss` is read as UTC (inferred format); anything else Date can parse is accepted. */
export function parseExpiration(text: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(text.trim());
  return m ? new Date(`${m[1]}T${m[2]}Z`) : new Date(text);
}

/** What the user must do after a delete, from its integer `reboot` / `apply` flags (1 = required). */
export function deleteNote(name: string, flags: Pick<YeastarDeleteResponse, "reboot" | "apply">): string | undefined {
  if (flags.reboot === 1)
    return `deleting ${name} needs the PBX to reboot before it takes effect: reboot the PBX (Maintenance > Reboot) at a quiet time`;
  if (flags.apply === 1)
    return `deleting ${name} needs the PBX to apply its configuration: click Apply on the PBX web interface`;
  return undefined;
}

/**
 * Where the PBX's web server answers TLS: the API base URL's host and port ("the API communication port is the
 * same as the web access port"). Without a port: 443 for https; for http, 8088, the documented default HTTPS port
 * (inferred: a PBX reached over plain HTTP still serves HTTPS there).
 */
export function httpsAddress(endpoint: string): { host: string; port: number } {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 8088;
  return { host, port };
}

function listing(client: YeastarClient, type: YeastarCertificateType): PagingOptions<YeastarCertificate> {
  return {
    fetch: async (page) => {
      const res = await client.list({ page, page_size: LIST_PAGE_SIZE, sort_by: "id", order_by: "asc", type });
      return { items: res.certificate_list ?? [], total: res.total_number };
    },
    pageSize: LIST_PAGE_SIZE,
    key: (c) => c.id,
  };
}

const listAll = (client: YeastarClient, type: YeastarCertificateType): Promise<YeastarCertificate[]> =>
  allPages(listing(client, type));

/**
 * Make room for one more certificate of `type`. Without pruneOld this throws VENDOR_QUOTA saying how to fix it;
 * with it, the oldest-expiring certificate that is neither what `webserver/get` names (`inUseName`) nor
 * `keepName` is deleted. Answers what the user must do afterwards (the delete's apply/reboot flags).
 */
async function makeRoom(
  client: YeastarClient,
  type: YeastarCertificateType,
  existing: YeastarCertificate[],
  pruneOld: boolean,
  keepName: string,
  inUseName: string | undefined,
  logger: ProviderContext["logger"],
): Promise<string[]> {
  const limit = YEASTAR_LIMITS[type];
  if (existing.length < limit) return [];
  const what = type === "server" ? "server certificates" : "trusted CA certificates";
  if (!pruneOld) {
    throw new CertrelayError(
      ErrorCodes.VENDOR_QUOTA,
      `the PBX already holds ${existing.length} ${what} (its limit is ${limit}): delete one on the PBX (System > Security > Certificates) or set pruneOld to let certrelay delete the oldest-expiring one that is not in use`,
      { vendor: VENDOR, field: "pruneOld" },
    );
  }
  const victim = existing
    .filter((c) => c.name !== inUseName && c.name !== keepName)
    .sort((a, b) => expirationMs(a) - expirationMs(b) || a.id - b.id)[0];
  if (!victim) {
    throw new CertrelayError(
      ErrorCodes.VENDOR_QUOTA,
      `the PBX holds ${existing.length} ${what} (its limit is ${limit}) and none can be pruned (the others are in use); delete one on the PBX`,
      {
        vendor: VENDOR,
        field: "pruneOld",
      },
    );
  }
  const flags = await client.delete(victim.id);
  const note = deleteNote(victim.name, flags);
  if (!note) return [];
  logger.warn(`yeastar: ${note}`, { vendor: VENDOR, certificate: victim.name });
  return [note];
}

function expirationMs(c: YeastarCertificate): number {
  // Certificates still being applied for have no expiration yet: prune them last.
  const t = c.expiration ? parseExpiration(c.expiration).getTime() : Number.NaN;
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
}

class YeastarTarget implements Target {
  readonly provider = "yeastar" as const;
  readonly label: string;
  private readonly client: YeastarClient;
  private readonly type: YeastarCertificateType;

  constructor(
    private readonly settings: YeastarTargetSettings,
    credentials: YeastarCredentials,
    private readonly ctx: ProviderContext,
    sessions?: SessionCache,
  ) {
    this.type = settings.certificateType ?? "server";
    this.label = `yeastar ${settings.endpoint} (${this.type})`;
    this.client = newClient(settings, credentials, ctx, sessions);
  }

  /** The PEM file the PBX imports: for server, certificate + private key + chain in one file (inferred). */
  private prepare(material: CertificateMaterial): { facts: CertFacts; file: string } {
    if (this.type === "trusted") {
      const facts = certFacts(material.certificate, "certificate");
      if (!facts.isCA) {
        throw new CertrelayError(
          ErrorCodes.INPUT_INVALID,
          "a trusted certificate must be a CA certificate: pass the CA's certificate, or use certificateType server for a leaf certificate",
          {
            field: "certificate",
            vendor: VENDOR,
          },
        );
      }
      return { facts, file: `${facts.pem.trim()}\n` };
    }
    const parsed = parseBundle(material, { now: this.ctx.clock(), requireKey: true });
    const m = parsed.material;
    const file = [m.certificate, m.privateKey, m.chain]
      .map((p) => p.trim())
      .filter((p) => p !== "")
      .join("\n");
    return { facts: parsed.leaf, file: `${file}\n` };
  }

  private result(facts: CertFacts, id: string, changed: boolean): DeployResult {
    return {
      id,
      serial: facts.serial,
      commonName: facts.commonName,
      notAfter: facts.notAfter,
      expireIn: expireInDays(facts.notAfter, this.ctx.clock()),
      changed,
    };
  }

  async deploy(material: CertificateMaterial): Promise<DeployResult> {
    const { facts, file } = this.prepare(material);
    const name = certrelayName(facts);
    const existing = await listAll(this.client, this.type);
    if (this.type === "trusted") return this.deployTrusted(facts, file, name, existing);
    const inUseName = (await this.client.webserver()).https_cert;
    const found = existing.find((c) => c.name === name);
    if (found) {
      // On the PBX already: only the web server's choice may be missing (someone switched it back).
      if (inUseName === name) return this.result(facts, String(found.id), false);
      await this.client.useForWebserver(name);
      return this.result(facts, String(found.id), true);
    }
    const inUse = existing.find((c) => c.name === inUseName);
    // A rotation of a certificate certrelay imported: replace it in place (keeps its id, needs no free slot under
    // the 3-server limit). The user's own certificates and PBX-applied ones are never overwritten.
    if (inUse && inUse.ca_type === "upload" && serialFromName(inUse.name) !== "") {
      const replaced = await this.replaceInPlace(inUse, name, file);
      if (replaced) return this.result(facts, String(inUse.id), true);
    }
    const notes = await makeRoom(
      this.client,
      this.type,
      existing,
      this.settings.pruneOld ?? false,
      name,
      inUseName,
      this.ctx.logger,
    );
    // Upload and create back to back: the PBX purges temporary storage after an hour.
    const uploaded = await this.client.upload(this.type, name, file);
    await this.createOnce(uploaded.file, () =>
      this.client.create({ type: this.type, ca_type: "upload", name: uploaded.file }),
    );
    // Adding only lists it: the web server keeps its old (or self-signed default) certificate until selected.
    await this.client.useForWebserver(uploaded.file);
    const created = (await listAll(this.client, this.type)).find((c) => c.name === uploaded.file);
    return { ...this.result(facts, created ? String(created.id) : "", true), ...(notes.length ? { notes } : {}) };
  }

  /** `certificate/create` sent once: if its answer is lost, the PBX's list says whether `name` was added. */
  private createOnce(name: string, create: () => Promise<object>): Promise<object> {
    const lookup = async () => (await listAll(this.client, this.type)).find((c) => c.name === name);
    return writeOnce(create, { what: `certificate ${name} on the PBX`, lookup, logger: this.ctx.logger });
  }

  /**
   * `certificate/update {id, name}` on the certificate the web server uses, then make sure `webserver/get` names
   * the new file. False when the PBX refuses the update, so the caller falls back to create + webserver/update.
   * Sent once: when its answer is lost, `certificate/get` of the same id (query-information-of-a-certificate) says
   * whether the record now carries the new file's name; a second landing write (a create of the same name) would be
   * refused by the PBX as a duplicate, so a lost answer is never taken for a refusal.
   */
  private async replaceInPlace(inUse: YeastarCertificate, name: string, file: string): Promise<boolean> {
    const uploaded = await this.client.upload("server", name, file);
    try {
      await writeOnce(
        async () => {
          await this.client.update({ id: inUse.id, name: uploaded.file });
          return true;
        },
        {
          what: `the in-place update of certificate ${inUse.id} to ${uploaded.file} on the PBX`,
          lookup: async () => ((await this.client.get(inUse.id)).certificate.name === uploaded.file ? true : undefined),
          logger: this.ctx.logger,
        },
      );
    } catch (error) {
      // Only a refusal the PBX answered falls back; a lost answer that the read-back could not confirm is the run's
      // error (the next run lists the PBX first and finds the update if it landed).
      if (!isVendorError(error) || answerLost(error)) throw error;
      this.ctx.logger.warn("yeastar certificate/update refused; adding the certificate and selecting it instead", {
        vendor: VENDOR,
        code: error.code,
        certificate: inUse.name,
      });
      return false;
    }
    if ((await this.client.webserver()).https_cert !== uploaded.file) await this.client.useForWebserver(uploaded.file);
    return true;
  }

  private async deployTrusted(
    facts: CertFacts,
    file: string,
    name: string,
    existing: YeastarCertificate[],
  ): Promise<DeployResult> {
    const found = existing.find((c) => c.name === name);
    if (found) return this.result(facts, String(found.id), false);
    const notes = await makeRoom(
      this.client,
      "trusted",
      existing,
      this.settings.pruneOld ?? false,
      name,
      undefined,
      this.ctx.logger,
    );
    const uploaded = await this.client.upload("trusted", name, file);
    await this.createOnce(uploaded.file, () => this.client.create({ type: "trusted", name: uploaded.file }));
    const created = (await listAll(this.client, "trusted")).find((c) => c.name === uploaded.file);
    return { ...this.result(facts, created ? String(created.id) : "", true), ...(notes.length ? { notes } : {}) };
  }

  async *list(): AsyncIterable<DeployedCertificate> {
    const now = this.ctx.clock();
    for await (const c of eachItem(listing(this.client, this.type))) {
      // An application still issuing (or failed) holds no certificate yet.
      if (c.apply_status !== "issuance_success" || !c.expiration) continue;
      const notAfter = parseExpiration(c.expiration);
      yield {
        id: String(c.id),
        serial: serialFromName(c.name),
        commonName: c.issue_to,
        notAfter,
        expireIn: expireInDays(notAfter, now),
      };
    }
  }

  async verify(serial: string): Promise<VerifyResult> {
    const want = normalizeSerial(serial);
    const all = await listAll(this.client, this.type);
    const match = all.find((c) => serialFromName(c.name) === want);
    const inUseName = this.type === "server" ? (await this.client.webserver()).https_cert : undefined;
    const namedSerial = inUseName ? serialFromName(inUseName) || undefined : undefined;
    const served = namedSerial ? { servedSerial: namedSerial } : {};
    if (!match) {
      return {
        ok: false,
        ...served,
        detail: `the PBX holds no ${this.type} certificate with serial ${want}; deploy it again`,
      };
    }
    const detail = (await this.client.get(match.id)).certificate;
    if (detail.apply_status !== "issuance_success") {
      return {
        ok: false,
        ...served,
        detail: `certificate ${match.name} is on the PBX but not usable (${detail.apply_status})`,
      };
    }
    if (this.type === "trusted") return { ok: true, servedSerial: want, detail: `${match.name} is on the PBX` };
    if (inUseName !== match.name) {
      const what = inUseName === DEFAULT_HTTPS_CERT ? "its self-signed default certificate" : inUseName;
      return {
        ok: false,
        ...served,
        detail: `certificate ${match.name} is on the PBX but the web server uses ${what} (webserver/get); deploy again to select it`,
      };
    }
    return this.handshake(want, match.name);
  }

  /** What the PBX's own HTTPS port presents: the proof that the selected certificate is the one served. */
  private async handshake(want: string, name: string): Promise<VerifyResult> {
    const { host, port } = httpsAddress(this.settings.endpoint);
    const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    let presented: string;
    this.ctx.deadline?.check(`reading the certificate the PBX presents on ${address}`);
    const timeoutMs = this.ctx.deadline
      ? this.ctx.deadline.cap(this.ctx.timeoutMs ?? 10_000)
      : (this.ctx.timeoutMs ?? 10_000);
    try {
      presented = (
        await probeEdge({ address, serverName: host, ...(this.ctx.ca ? { ca: this.ctx.ca } : {}), timeoutMs })
      ).serial;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        detail: `webserver/get names ${name}, but no TLS handshake with the PBX's HTTPS port ${address} completed (${why}); check that the endpoint's host and port are the PBX web server's`,
      };
    }
    if (presented !== want) {
      return {
        ok: false,
        servedSerial: presented,
        detail: `webserver/get names ${name}, but the PBX's HTTPS port ${address} presents serial ${presented}; apply the configuration on the PBX (or restart its web service) and check again`,
      };
    }
    return { ok: true, servedSerial: want, detail: `${name} is in use and ${address} presents it` };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function newClient(
  settings: YeastarTargetSettings,
  credentials: YeastarCredentials,
  ctx: ProviderContext,
  sessions?: SessionCache,
): YeastarClient {
  for (const key of ["username", "password"] as const) {
    if (typeof credentials[key] !== "string" || credentials[key] === "") {
      throw new CertrelayError(
        ErrorCodes.INPUT_MISSING,
        `yeastar credentials need ${key} (${key === "username" ? "the PBX API Client ID" : "the PBX API Client Secret"})`,
        { field: key, vendor: VENDOR },
      );
    }
  }
  if (settings.userAgent !== undefined && settings.userAgent.trim() === "") {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      "userAgent must not be empty: the PBX refuses requests without a User-Agent",
      { field: "userAgent", vendor: VENDOR },
    );
  }
  return new YeastarClient({
    endpoint: settings.endpoint,
    username: credentials.username ?? "",
    password: credentials.password ?? "",
    ctx,
    sessions,
    ...(settings.userAgent ? { userAgent: settings.userAgent } : {}),
  });
}

/**
 * credentials: `username` = Client ID, `password` = Client Secret. One token per target for the whole run,
 * revoked in `close()`.
 */
export function createYeastarTarget(
  settings: YeastarTargetSettings,
  credentials: YeastarCredentials,
  ctx: ProviderContext,
  sessions?: SessionCache,
): Target {
  return new YeastarTarget(settings, credentials, ctx, sessions);
}

const DOMAIN = /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** `authInfo` as the wire wants it; rejects a missing or mistyped key before any request. */
export function toAuthInfoList(dnsProvider: string, authInfo: Record<string, string | number | boolean>): AuthInfo[] {
  const list: AuthInfo[] = Object.entries(authInfo).map(([k, v]) =>
    typeof v === "number" ? { k, iv: v } : typeof v === "boolean" ? { k, bv: v } : { k, sv: v },
  );
  const problem = checkAuthInfo(dnsProvider, list);
  if (problem) {
    const field =
      problem.param === "dns_provider" ? "dnsProvider" : problem.param.replace(/^auth_info_list/, "authInfo");
    throw new CertrelayError(
      problem.param === "dns_provider" ? ErrorCodes.INPUT_INVALID : ErrorCodes.INPUT_MISSING,
      `${field}: ${problem.detail}`,
      { field, vendor: VENDOR },
    );
  }
  return list;
}

/**
 * Ask the PBX to obtain a certificate for `domain` through a DNS challenge, and wait a bounded time
 * (ctx.poll) for the outcome. A re-run finds the earlier application instead of starting a second one.
 */
export async function applyForCertificate(
  settings: YeastarTargetSettings,
  credentials: YeastarCredentials,
  ctx: ProviderContext,
  request: YeastarApplyRequest,
): Promise<YeastarApplyResult> {
  const domain = request.domain.trim().toLowerCase();
  if (!DOMAIN.test(domain))
    throw new CertrelayError(ErrorCodes.INPUT_INVALID, `domain must be a DNS name such as pbx.example.com`, {
      field: "domain",
      vendor: VENDOR,
    });
  const authInfoList = toAuthInfoList(request.dnsProvider, request.authInfo);
  const client = newClient(settings, credentials, ctx);
  const notes: string[] = [];
  try {
    const existing = await listAll(client, "server");
    let record = existing.find((c) => c.ca_type === "apply" && c.issue_to.toLowerCase() === domain);
    if (record?.apply_status === "issuance_fail") {
      // A failed application holds a slot and its name; clear it and apply again.
      const note = deleteNote(record.name, await client.delete(record.id));
      if (note) notes.push(note);
      existing.splice(existing.indexOf(record), 1);
      record = undefined;
    }
    if (!record) {
      const inUseName = (await client.webserver()).https_cert;
      notes.push(
        ...(await makeRoom(client, "server", existing, settings.pruneOld ?? false, "", inUseName, ctx.logger)),
      );
      const apply = () =>
        client.create({
          type: "server",
          ca_type: "apply",
          issue_to: domain,
          dns_provider: request.dnsProvider,
          auth_info_list: authInfoList,
        });
      const lookup = async () =>
        (await listAll(client, "server")).find((c) => c.ca_type === "apply" && c.issue_to.toLowerCase() === domain);
      const created = await writeOnce<Pick<YeastarCertificate, "name" | "apply_status">>(apply, {
        what: `the PBX's application for ${domain}`,
        lookup,
        logger: ctx.logger,
      });
      record = (await listAll(client, "server")).find((c) => c.name === created.name);
      if (!record) {
        const pending = {
          name: created.name,
          id: "",
          status: created.apply_status === "issuance_fail" ? "failed" : "pending",
          detail: `the PBX accepted the application (${created.apply_status}) but does not list it yet; run again to check`,
        } as const;
        return withNotes(pending, notes);
      }
    }
    const result = await pollApplication(client, ctx, record.id, record.name);
    if (result.status === "issued" && (await client.webserver()).https_cert !== record.name) {
      // Issued only lists it: the web server serves it once selected (Update Web Server Certificate Setting).
      await client.useForWebserver(record.name);
      result.detail += "; the PBX web server now uses it";
    }
    return withNotes(result, notes);
  } finally {
    await client.close();
  }
}

function withNotes(result: YeastarApplyResult, notes: string[]): YeastarApplyResult {
  if (notes.length === 0) return result;
  return { ...result, notes, detail: `${result.detail}. ${notes.join(". ")}` };
}

/**
 * The PBX's answer about an application, asked once per check; the waiting between checks is the pipeline's one
 * poll loop, bounded by ctx.poll and the run's deadline.
 */
async function pollApplication(
  client: YeastarClient,
  ctx: ProviderContext,
  recordId: number,
  name: string,
): Promise<YeastarApplyResult> {
  const { answer, window } = await pollUntilSettled(
    () => applicationState(client, recordId, name),
    () => applicationState(client, recordId, name),
    (result) => result.status === "pending",
    ctx,
  );
  if (answer.status !== "pending") return answer;
  return { ...answer, detail: `${answer.detail}${window ? ` ${window.describe()}` : ""}; run again later to check` };
}

async function applicationState(client: YeastarClient, recordId: number, name: string): Promise<YeastarApplyResult> {
  const id = String(recordId);
  const [detail] = (await client.query([recordId])).certificate_list;
  if (!detail)
    return { name, id, status: "failed", detail: `the application ${name} disappeared from the PBX; apply again` };
  if (detail.apply_status === "issuance_success") {
    const notAfter = detail.expiration ? parseExpiration(detail.expiration) : undefined;
    return {
      name,
      id,
      ...(notAfter ? { notAfter } : {}),
      status: "issued",
      detail: `the PBX holds a certificate for ${detail.issue_to}${detail.expiration ? ` valid until ${parseExpiration(detail.expiration).toISOString()}` : ""}`,
    };
  }
  if (detail.apply_status === "issuance_fail") {
    return {
      name,
      id,
      status: "failed",
      detail: `the PBX could not obtain a certificate for ${detail.issue_to}${detail.apply_tip_code ? ` (${detail.apply_tip_code})` : ""}: check the DNS provider credentials and that the domain's zone is hosted there, then apply again`,
    };
  }
  return { name, id, status: "pending", detail: `the PBX is still issuing a certificate for ${detail.issue_to}` };
}
