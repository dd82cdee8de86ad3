/**
 * Yeastar P-Series OpenAPI calls, nothing else. One token per client: taken once, refreshed with `refresh_token`
 * shortly before it expires (or once on 10004), revoked with `del_token` on close, because the Software Edition
 * allows only 8 valid access tokens per application (VENDOR-NOTES).
 */
import { CertrelayError, ErrorCodes, isAuthError, isQuotaError } from "../../errors.js";
import { randomUUID } from "node:crypto";
import type { VendorSession } from "../../store/types.js";
import { holderHere, holderLive, type SessionCache } from "../../store/sessions.js";
import type { ProviderContext } from "../context.js";
import { VendorHttp, type Session as Credential } from "../kit/http.js";
import { yeastarError } from "./errors.js";
import {
  YeastarErrcode,
  type YeastarCertificateType,
  type YeastarCreateRequest,
  type YeastarCreateResponse,
  type YeastarDeleteResponse,
  type YeastarGetResponse,
  type YeastarUpdateRequest,
  type YeastarWebserverResponse,
  type YeastarListQuery,
  type YeastarListResponse,
  type YeastarQueryResponse,
  type YeastarResponse,
  type YeastarTokenResponse,
  type YeastarUploadResponse,
} from "./types.js";

export const YEASTAR_API = "/openapi/v1.0";
/** The docs' example User-Agent; the PBX refuses requests without one. */
export const DEFAULT_USER_AGENT = "OpenAPI";
// Refresh this long before the access token's 1800 s run out, so a slow call never carries a dying token.
const REFRESH_MARGIN_MS = 120_000;
/** Looks for a token that runs logging in alongside are recording, when the PBX refused one more (real time, ~0.6 s). */
const QUOTA_ADOPT_ATTEMPTS = 4;

export interface YeastarClientOptions {
  endpoint: string;
  username: string;
  password: string;
  ctx: ProviderContext;
  userAgent?: string;
  /**
   * Tokens kept in the store beside the credentials: a token an earlier run could not revoke (it was killed) is
   * reused instead of taking one more of the 8, and every token is recorded there before it is used.
   */
  sessions?: SessionCache | undefined;
}

interface Session {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
}

interface CallOptions {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  form?: FormData;
  idempotent: boolean;
}

/** Request counters, for logs and tests. */
export interface YeastarClientStats {
  getToken: number;
  refreshToken: number;
  delToken: number;
  /** tokens taken over from the store (left by an earlier or concurrent run) instead of a get_token */
  reused: number;
}

export class YeastarClient {
  private readonly http: VendorHttp;
  private readonly ctx: ProviderContext;
  private session: Session | undefined;
  private pending: Promise<Session> | undefined;
  private closed = false;
  /** this client, as the store's session records name their holders */
  private readonly owner = randomUUID();
  /** tokens this client saw refused or replaced: never taken from the store again */
  private readonly dead = new Set<string>();
  readonly stats: YeastarClientStats = { getToken: 0, refreshToken: 0, delToken: 0, reused: 0 };

  constructor(private readonly options: YeastarClientOptions) {
    const { ctx } = options;
    this.ctx = ctx;
    // the API path is added per call, so an endpoint given with it or without it reaches the same place
    const baseUrl = options.endpoint.replace(/\/+$/, "").replace(/\/openapi\/v1\.0$/, "");
    this.http = new VendorHttp({
      vendor: "yeastar",
      baseUrl,
      ctx,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      secrets: [options.password],
    });
  }

  // ---- tokens -----------------------------------------------------------------------------------------------

  private now(): number {
    return this.ctx.clock().getTime();
  }

  /** The session a token answer makes, its tokens registered for redaction. */
  private sessionOf(body: YeastarTokenResponse): Session {
    this.http.addSecret(body.access_token);
    this.http.addSecret(body.refresh_token);
    const now = this.now();
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      accessExpiresAt: now + body.access_token_expire_time * 1000,
      refreshExpiresAt: now + body.refresh_token_expire_time * 1000,
    };
  }

  /** A refreshed pair replaces `replaces`: recorded before first use, so a kill from here on leaves it to the next run. */
  private async remember(body: YeastarTokenResponse, replaces: Session): Promise<Session> {
    const session = this.sessionOf(body);
    this.session = session;
    const record = { ...session, holders: [holderHere(this.owner, session.accessExpiresAt)] };
    await this.storeSessions("save", () => this.options.sessions?.save(record));
    this.dead.add(replaces.accessToken);
    await this.forget(replaces.accessToken);
    return session;
  }

  /** Sessions are a cache: a store that cannot keep them costs a token, never the run. Never logs a token. */
  private async storeSessions(what: string, fn: () => Promise<void> | undefined): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.ctx.logger.warn(
        `yeastar session ${what} in the store failed; the token is revoked at the end of the run all the same`,
        { code: error instanceof Error && "code" in error ? String(error.code) : "error" },
      );
    }
  }

  private forget(accessToken: string): Promise<void> {
    return this.storeSessions("removal", () => this.options.sessions?.drop(accessToken));
  }

  /** The freshest recorded token this client may take up (one a killed run left, or one a live run holds). */
  private usable(records: VendorSession[]): VendorSession | undefined {
    const now = this.now();
    return records
      .filter((s) => s.accessExpiresAt - REFRESH_MARGIN_MS > now && !this.dead.has(s.accessToken))
      .sort((a, b) => b.accessExpiresAt - a.accessExpiresAt)[0];
  }

  /** `records` with this client added to `taken`'s live holders, so a run that ends now leaves it alone (see close). */
  private holding(records: VendorSession[], taken: VendorSession): VendorSession[] {
    const now = this.now();
    return records.map((r) =>
      r.accessToken === taken.accessToken
        ? {
            ...r,
            holders: [
              ...(r.holders ?? []).filter((h) => holderLive(h, now)),
              holderHere(this.owner, r.accessExpiresAt),
            ],
          }
        : r,
    );
  }

  /** Use a recorded token this client now holds. */
  private takeUp(taken: VendorSession): Session {
    this.http.addSecret(taken.accessToken);
    this.http.addSecret(taken.refreshToken);
    this.stats.reused += 1;
    const { holders: _holders, ...session } = taken;
    this.session = session;
    return session;
  }

  /** A live token another run recorded, now held by this client too (one write), or undefined. */
  private async adopt(cache: SessionCache): Promise<Session | undefined> {
    let taken: VendorSession | undefined;
    let held = false;
    await this.storeSessions("hold", async () => {
      await cache.update((records) => {
        taken = this.usable(records);
        return taken ? this.holding(records, taken) : undefined;
      });
      held = true;
    });
    // a hold the store could not record is no hold: another run could revoke the token under this one
    return held && taken ? this.takeUp(taken) : undefined;
  }

  private async post<T extends YeastarResponse>(path: string, json: unknown, operation: string): Promise<T> {
    // Token calls are never retried: a lost answer to get_token would still spend one of the 8 tokens.
    const res = await this.http.request<T>({ method: "POST", path: `${YEASTAR_API}/${path}`, json, idempotent: false });
    if (res.body.errcode !== YeastarErrcode.SUCCESS) throw yeastarError(res.body, operation);
    return res.body;
  }

  /**
   * A token for this client: one recorded in the store (left by a killed run, or held by a run going on now in this
   * process or another), else a new one. Optimistic, so each step writes one version of the record at most: a run
   * that finds no token logs in and then records its token with a compare-and-set; when another run recorded one
   * in between (runs that start together), this run holds theirs instead and revokes its own at once, so runs that
   * meet end up sharing one token, not holding one each.
   */
  private async login(): Promise<Session> {
    const cache = this.options.sessions;
    if (!cache) return (this.session = this.sessionOf(await this.getToken()));
    const adopted = await this.adopt(cache);
    if (adopted) return adopted;
    let body: YeastarTokenResponse;
    try {
      body = await this.getToken();
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      // At the 8-token budget: runs that started alongside this one logged in too and are about to record one
      // token between them (the others revoked at once), so wait a little for it and share it.
      for (let attempt = 1; attempt <= QUOTA_ADOPT_ATTEMPTS; attempt += 1) {
        const shared = await this.adopt(cache);
        if (shared) return shared;
        if (attempt < QUOTA_ADOPT_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
      throw error;
    }
    const mine = this.sessionOf(body);
    let theirs: VendorSession | undefined;
    let recorded = false;
    await this.storeSessions("save", async () => {
      await cache.update((records) => {
        theirs = this.usable(records);
        if (theirs) return this.holding(records, theirs);
        // recorded before first use, so a kill from here on leaves it for the next run to reuse and revoke
        const record = { ...mine, holders: [holderHere(this.owner, mine.accessExpiresAt)] };
        return [record, ...records.filter((r) => r.accessToken !== mine.accessToken)];
      });
      recorded = true;
    });
    if (recorded && theirs) {
      // nobody else ever saw this token: revoking it cannot pull it from under another run; a PBX that could not
      // be asked leaves it recorded, for the next run to reuse and revoke
      if (!(await this.revoke(mine))) await this.storeSessions("save", () => cache.save({ ...mine, holders: [] }));
      return this.takeUp(theirs);
    }
    // recorded, or the store failed (sessions are a cache: the token is used and revoked at the end all the same)
    this.session = mine;
    return mine;
  }

  private async getToken(): Promise<YeastarTokenResponse> {
    this.stats.getToken += 1;
    return this.post<YeastarTokenResponse>(
      "get_token",
      { username: this.options.username, password: this.options.password },
      "get_token",
    );
  }

  /** A new pair from the refresh token when it is still good, else a fresh login. */
  private async renew(): Promise<Session> {
    const current = this.session;
    if (current && current.refreshExpiresAt - REFRESH_MARGIN_MS > this.now()) {
      this.stats.refreshToken += 1;
      try {
        const body = await this.post<YeastarTokenResponse>(
          "refresh_token",
          { refresh_token: current.refreshToken },
          "refresh_token",
        );
        return await this.remember(body, current);
      } catch (error) {
        // A refused refresh token (expired/revoked) falls back to one login; anything else is real.
        if (!(isAuthError(error) && error.code === ErrorCodes.TOKEN_EXPIRED)) throw error;
        this.session = undefined;
        this.dead.add(current.accessToken);
        await this.forget(current.accessToken);
      }
    }
    return this.login();
  }

  /** One token for the whole run; concurrent callers share one get_token/refresh. */
  private async token(forceRenew = false): Promise<string> {
    // A closed client (the run is ending, or was stopped) must not take a token nobody would revoke.
    if (this.closed)
      throw new CertrelayError(
        ErrorCodes.VENDOR_ERROR,
        "the Yeastar session was already closed: this run is ending; run again",
        { vendor: "yeastar" },
      );
    if (this.pending) return (await this.pending).accessToken;
    const s = this.session;
    if (s && !forceRenew && s.accessExpiresAt - REFRESH_MARGIN_MS > this.now()) return s.accessToken;
    this.pending = (s ? this.renew() : this.login()).finally(() => (this.pending = undefined));
    return (await this.pending).accessToken;
  }

  /**
   * The access token goes in the query of every call; a 10004 answer means the PBX refused the token and did
   * nothing, so the token is renewed once and the call repeated.
   */
  private readonly access: Credential<YeastarResponse> = {
    credential: () => this.token(),
    refused: (res) => res.body.errcode === YeastarErrcode.TOKEN_EXPIRED,
    // Another call may have renewed already while this one was in flight.
    renew: async (token) => {
      if (this.session?.accessToken === token) await this.token(true);
    },
  };

  private async call<T extends YeastarResponse>(operation: string, options: CallOptions): Promise<T> {
    const res = await this.http.withSession<YeastarResponse>(this.access, (token) => ({
      method: options.method,
      path: `${YEASTAR_API}/${options.path}`,
      query: { ...(options.query ?? {}), access_token: token },
      ...(options.json === undefined ? {} : { json: options.json }),
      ...(options.form === undefined ? {} : { body: options.form }),
      idempotent: options.idempotent,
    }));
    if (res.body.errcode !== YeastarErrcode.SUCCESS) throw yeastarError(res.body, operation);
    return res.body as T;
  }

  // ---- certificates -----------------------------------------------------------------------------------------

  /** `POST certificate/upload` (multipart `type`, `file`). Not retried: create must follow the upload that worked. */
  async upload(type: YeastarCertificateType, fileName: string, text: string): Promise<YeastarUploadResponse> {
    const form = new FormData();
    form.set("type", type);
    form.set("file", new Blob([text], { type: "application/x-pem-file" }), fileName);
    return this.call<YeastarUploadResponse>("certificate/upload", {
      method: "POST",
      path: "certificate/upload",
      form,
      idempotent: false,
    });
  }

  async create(request: YeastarCreateRequest): Promise<YeastarCreateResponse> {
    return this.call<YeastarCreateResponse>("certificate/create", {
      method: "POST",
      path: "certificate/create",
      json: request,
      idempotent: false,
    });
  }

  async list(query: YeastarListQuery): Promise<YeastarListResponse> {
    const q: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q[k] = String(v);
    return this.call<YeastarListResponse>("certificate/list", {
      method: "GET",
      path: "certificate/list",
      query: q,
      idempotent: true,
    });
  }

  async query(ids: number[]): Promise<YeastarQueryResponse> {
    return this.call<YeastarQueryResponse>("certificate/query", {
      method: "GET",
      path: "certificate/query",
      query: { ids: ids.join(",") },
      idempotent: true,
    });
  }

  /** A GET on the wire, but it deletes: not retried, so a lost answer cannot delete twice. */
  async delete(id: number): Promise<YeastarDeleteResponse> {
    return this.call<YeastarDeleteResponse>("certificate/delete", {
      method: "GET",
      path: "certificate/delete",
      query: { id: String(id) },
      idempotent: false,
    });
  }

  /** `GET certificate/get?id=N`: one certificate (Query Information of a Certificate). */
  async get(id: number): Promise<YeastarGetResponse> {
    return this.call<YeastarGetResponse>("certificate/get", {
      method: "GET",
      path: "certificate/get",
      query: { id: String(id) },
      idempotent: true,
    });
  }

  /** `POST certificate/update`: with `name`, swaps the certificate's file in place. Not retried: it consumes the upload. */
  async update(request: YeastarUpdateRequest): Promise<void> {
    await this.call<YeastarResponse>("certificate/update", {
      method: "POST",
      path: "certificate/update",
      json: request,
      idempotent: false,
    });
  }

  /** `GET webserver/get`: which certificate the web server uses (`default` = the self-signed one). */
  async webserver(): Promise<YeastarWebserverResponse> {
    return this.call<YeastarWebserverResponse>("webserver/get", {
      method: "GET",
      path: "webserver/get",
      idempotent: true,
    });
  }

  /** `POST webserver/update {"https_cert": name}`: puts a listed server certificate into use. Setting it twice is harmless. */
  async useForWebserver(httpsCert: string): Promise<void> {
    await this.call<YeastarResponse>("webserver/update", {
      method: "POST",
      path: "webserver/update",
      json: { https_cert: httpsCert },
      idempotent: true,
    });
  }

  /**
   * Revoke the token (frees one of the 8) and release connections. Safe to call twice. A token another live run
   * holds (shared through the store, in this process or another) is left to that run, which revokes it when it
   * ends: revoking it here would pull it from under that run's next call.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const s = this.session;
    this.session = undefined;
    try {
      if (!s) return;
      const cache = this.options.sessions;
      if (s.accessExpiresAt <= this.now()) return await this.forget(s.accessToken);
      if (!cache) {
        await this.revoke(s);
        return;
      }
      // what the write that went through decided (undefined: the store could not be written)
      let decision: "leave" | "revoke" | undefined;
      await this.storeSessions("release", async () => {
        let planned: "leave" | "revoke" = "revoke";
        await cache.update((records) => {
          const now = this.now();
          const record = records.find((r) => r.accessToken === s.accessToken);
          const others = (record?.holders ?? []).filter((h) => h.owner !== this.owner && holderLive(h, now));
          planned = record && others.length > 0 ? "leave" : "revoke";
          if (planned === "leave") return records.map((r) => (r === record ? { ...r, holders: others } : r));
          // dropped before it is revoked, in the same write that found no other holder: from then on no run can
          // take it up, so revoking cannot pull it from under one
          return record ? records.filter((r) => r !== record) : undefined;
        });
        decision = planned;
      });
      if (decision === "leave") return;
      if (decision === "revoke") {
        // the PBX could not be asked: recorded again, so the next run reuses and revokes it instead of it leaking
        if (!(await this.revoke(s))) await this.storeSessions("save", () => cache.save({ ...s, holders: [] }));
        return;
      }
      // the store could not be written: revoke all the same (a run sharing the token logs in again)
      if (await this.revoke(s)) await this.forget(s.accessToken);
    } finally {
      await this.http.close();
    }
  }

  /**
   * `GET del_token`; never throws. False when the PBX could not be asked: the token stays recorded, so the next run
   * reuses and revokes it instead of it being live and unknown.
   */
  private async revoke(s: Session): Promise<boolean> {
    try {
      this.stats.delToken += 1;
      const res = await this.http.request<YeastarResponse>({
        method: "GET",
        path: `${YEASTAR_API}/del_token`,
        query: { access_token: s.accessToken },
        idempotent: true,
        cleanup: true,
      });
      // 10004: another run sharing this token revoked it already; either way it is gone from the PBX.
      if (res.body.errcode !== YeastarErrcode.SUCCESS && res.body.errcode !== YeastarErrcode.TOKEN_EXPIRED) {
        this.ctx.logger.warn("yeastar del_token refused; the token expires on its own", {
          errcode: res.body.errcode,
        });
      }
      return true;
    } catch (error) {
      this.ctx.logger.warn("yeastar del_token failed; the token stays recorded for the next run to revoke", {
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  }
}
