/**
 * EnOS Connect Service over HTTP: one APIM token per client (fetched once, reused until near expiry), every API
 * request signed, and the device-certificate calls. Nothing here knows about certrelay's model.
 */
import { CertrelayError, ErrorCodes } from "../../errors.js";
import { HttpStatusError, backoffDelay } from "../../http/index.js";
import { resolveRetryPolicy } from "../../http/retry.js";
import type { ProviderContext } from "../context.js";
import { VendorHttp, type Session } from "../kit/http.js";
import { ApimStatus, apimError, enosCodeError } from "./errors.js";
import { apimHeaders, tokenEncryption } from "./signature.js";
import type {
  ApimRefusal,
  ApimTokenRequest,
  ApimTokenResponse,
  ApplyCertificateBody,
  DeviceCertApplyResultInfo,
  DeviceCertInfo,
  DeviceIdentifier,
  EnosResponse,
  RenewCertificateBody,
  RevokeCertificateBody,
} from "./types.js";

export const TOKEN_PATH = "/apim-token-service/v2.0/token/get";
export const CERTIFICATES_PATH = "/connect-service/v2.0/certificates";
/** Take a new token this long before the old one expires, so a request never races the expiry. */
const TOKEN_REFRESH_MARGIN_S = 300;

export interface EnosClientOptions {
  endpoint: string;
  appKey: string;
  appSecret: string;
  ctx: ProviderContext;
}

/**
 * Milliseconds, strictly increasing across every client in this process: the token service refuses a repeated
 * `encryption` (1001), and two clients of one application (an issuer and a target) may ask in the same millisecond.
 */
let lastTimestamp = 0;
const TIMESTAMP_STEP_WINDOW_MS = 60_000;

interface CachedToken {
  accessToken: string;
  refreshAt: number;
}

/**
 * When each access token seen in this process was first handed out: `token/get` answers the same token again
 * before it expires, and its `expire` may not count down, so a repeat must not restart the clock.
 */
const firstSeen = new Map<string, number>();

export class EnosClient {
  private readonly http: VendorHttp;
  private readonly ctx: ProviderContext;
  private token: CachedToken | undefined;
  private pendingToken: Promise<string> | undefined;
  private tokenFetches = 0;

  constructor(private readonly options: EnosClientOptions) {
    this.ctx = options.ctx;
    this.http = new VendorHttp({
      vendor: "enos",
      baseUrl: options.endpoint,
      ctx: options.ctx,
      sign: (req) => this.sign(req.url, req.body),
      secrets: [options.appSecret],
    });
  }

  /** How many token requests this client made (a token is reused until near expiry). */
  get tokenRequests(): number {
    return this.tokenFetches;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  apply(device: DeviceIdentifier, body: ApplyCertificateBody): Promise<DeviceCertApplyResultInfo | undefined> {
    return this.call("POST", "apply", device, body, "certificate apply");
  }

  renew(device: DeviceIdentifier, body: RenewCertificateBody): Promise<DeviceCertApplyResultInfo | undefined> {
    return this.call("POST", "renew", device, body, "certificate renewal");
  }

  async revoke(device: DeviceIdentifier, body: RevokeCertificateBody): Promise<void> {
    await this.call("POST", "revoke", device, body, "certificate revocation");
  }

  async list(device: DeviceIdentifier): Promise<DeviceCertInfo[]> {
    return (await this.call<DeviceCertInfo[]>("GET", "list", device, undefined, "certificate list")) ?? [];
  }

  /**
   * The CA certificate behind `certChainURL`, fetched as given: the URL names a portal host, not necessarily the
   * gateway, and it is a public file, so the request is not signed. A bare path is read from the gateway.
   */
  async caCertificate(certChainURL: string): Promise<string> {
    const url = new URL(certChainURL, this.options.endpoint);
    const gateway = url.origin === new URL(this.options.endpoint).origin;
    const client = gateway ? this.http : new VendorHttp({ vendor: "enos", baseUrl: url.origin, ctx: this.ctx });
    try {
      return (
        await client.request<string>({ method: "GET", path: `${url.pathname}${url.search}`, responseType: "text" })
      ).body;
    } finally {
      if (!gateway) await client.close();
    }
  }

  private async call<T>(
    method: "GET" | "POST",
    action: string,
    device: DeviceIdentifier,
    body: unknown,
    operation: string,
  ): Promise<T | undefined> {
    const res = await this.http.withSession<unknown>(this.session, () => ({
      method,
      path: CERTIFICATES_PATH,
      query: {
        action,
        orgId: device.orgId,
        assetId: device.assetId,
        productKey: device.productKey,
        deviceKey: device.deviceKey,
      },
      ...(body === undefined ? {} : { json: body }),
      // inferred: the gateway refuses tokens/signatures with 401 (403 accepted too) and an APIM status body
      acceptStatus: [401, 403],
      idempotent: method === "GET",
    }));
    if (res.status === 401 || res.status === 403) {
      const refusal = asObject(res.body) as ApimRefusal;
      throw apimError(refusal.status ?? refusal.code ?? -1, refusal.msg, `the ${operation}`);
    }
    const answer = asObject(res.body) as Partial<EnosResponse<T>>;
    if (typeof answer.code !== "number") {
      throw new CertrelayError(
        ErrorCodes.VENDOR_ERROR,
        `EnOS sent an answer without a code to the ${operation}: check that endpoint is the EnOS API gateway address`,
        { vendor: "enos", status: res.status },
      );
    }
    if (answer.code !== 0) throw enosCodeError(answer.code, answer.msg, operation);
    return answer.data;
  }

  /**
   * The status and body of an expired-token refusal (1202/1203) are not public: any gateway refusal means one fresh
   * token and one more try, then a clear error. The gateway refused before the service saw the request, so resending
   * a POST cannot apply twice. (The token itself goes in the signed headers, see `sign`.)
   */
  private readonly session: Session<unknown> = {
    credential: () => this.accessToken(),
    refused: (res) => res.status === 401 || res.status === 403,
    renew: (token, res) => {
      const refusal = asObject(res.body) as ApimRefusal;
      this.ctx.logger.debug("enos gateway refused the request; taking a fresh token once", {
        status: refusal.status ?? refusal.code ?? -1,
      });
      this.forgetToken(token);
    },
  };

  private sign(url: URL, body: string | undefined): Record<string, string> {
    // only API calls are signed: the token request carries its own `encryption`, the CA file is public
    if (!url.pathname.endsWith(CERTIFICATES_PATH)) return {};
    // unsigned only when no token was taken: the gateway then says why
    if (!this.token) return {};
    return apimHeaders(this.token.accessToken, url, body, this.timestamp(), this.options.appSecret);
  }

  private timestamp(): number {
    const now = this.ctx.clock().getTime();
    // step past a millisecond already used, but follow a clock that really moved back (another clock, a test)
    const t = now <= lastTimestamp && lastTimestamp - now < TIMESTAMP_STEP_WINDOW_MS ? lastTimestamp + 1 : now;
    lastTimestamp = t;
    return t;
  }

  private forgetToken(accessToken: string): void {
    if (this.token?.accessToken === accessToken) this.token = undefined;
  }

  private accessToken(): Promise<string> {
    if (this.token && this.ctx.clock().getTime() < this.token.refreshAt) return Promise.resolve(this.token.accessToken);
    // concurrent callers share one token request
    this.pendingToken ??= this.fetchToken().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  /**
   * The token request is a POST whose body (timestamp + encryption) may be sent only once, so it is retried here
   * with a fresh timestamp rather than by the HTTP client.
   */
  private async fetchToken(): Promise<string> {
    const policy = resolveRetryPolicy(this.ctx.retry);
    for (let attempt = 1; ; attempt++) {
      const timestamp = this.timestamp();
      const request: ApimTokenRequest = {
        appKey: this.options.appKey,
        encryption: tokenEncryption(this.options.appKey, timestamp, this.options.appSecret),
        timestamp,
      };
      this.tokenFetches += 1;
      let answer: ApimTokenResponse;
      try {
        const res = await this.http.request<unknown>({
          method: "POST",
          path: TOKEN_PATH,
          json: request,
          idempotent: false,
        });
        answer = asObject(res.body) as unknown as ApimTokenResponse;
      } catch (error) {
        if (attempt <= policy.retries && transient(error)) {
          await this.ctx.sleep(backoffDelay(attempt, policy, Math.random));
          continue;
        }
        throw error;
      }
      if (answer.status === ApimStatus.DUPLICATE_ENCRYPTION && attempt <= policy.retries) continue;
      const data = answer.data;
      if (answer.status !== 0 || !data || typeof data.accessToken !== "string" || data.accessToken === "") {
        throw apimError(typeof answer.status === "number" ? answer.status : -1, answer.msg, "the access token request");
      }
      this.http.addSecret(data.accessToken);
      const expire = typeof data.expire === "number" && data.expire > 0 ? data.expire : 7200;
      const margin = Math.min(TOKEN_REFRESH_MARGIN_S, expire / 10);
      const now = this.ctx.clock().getTime();
      // the same token again keeps the expiry it was first given (a repeat may answer the full 7200 s again)
      const issuedAt = firstSeen.get(data.accessToken) ?? now;
      firstSeen.set(data.accessToken, issuedAt);
      if (firstSeen.size > 1_000) firstSeen.delete(firstSeen.keys().next().value as string);
      // a repeat close to the end: use it until a few seconds before its real expiry rather than re-asking each call
      const refreshAt =
        issuedAt + (expire - margin) * 1000 > now
          ? issuedAt + (expire - margin) * 1000
          : issuedAt + expire * 1000 - 5_000;
      this.token = { accessToken: data.accessToken, refreshAt };
      return data.accessToken;
    }
  }
}

function asObject(body: unknown): Record<string, unknown> {
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** 5xx, 429 and network failures are worth another token request; refusals are not. */
function transient(error: unknown): boolean {
  if (error instanceof HttpStatusError) return error.status === 429 || (error.status ?? 0) >= 500;
  return (
    error instanceof CertrelayError && (error.code === ErrorCodes.NETWORK_ERROR || error.code === ErrorCodes.TIMEOUT)
  );
}
