/**
 * lego's `httpreq` provider: the TXT record is handed to an HTTP endpoint the user runs (POST `<endpoint>/present`
 * and `<endpoint>/cleanup` with `{"fqdn": "_acme-challenge.example.com.", "value": "<digest>"}`), for DNS set-ups
 * no built-in provider covers. Default (non-RAW) mode, as documented at go-acme.github.io/lego/dns/httpreq.
 */
import { HttpClient } from "../http/index.js";
import { challengeRecord } from "./challenge.js";
import type { DnsChallengeProvider, DnsProviderDeps } from "./types.js";

/** lego's HTTPREQ_ENDPOINT, HTTPREQ_PROPAGATION_TIMEOUT, HTTPREQ_POLLING_INTERVAL (seconds); credentials come from the secret. */
export interface HttpreqSettings {
  endpoint: string;
  propagationTimeout?: number;
  pollingInterval?: number;
}

export class HttpreqProvider implements DnsChallengeProvider {
  readonly name = "httpreq";
  private readonly http: HttpClient;

  constructor(
    private readonly settings: HttpreqSettings,
    deps: DnsProviderDeps,
  ) {
    // lego's HTTPREQ_USERNAME / HTTPREQ_PASSWORD: basic auth, kept in the issuer's credentials secret
    const username = deps.secrets?.httpreqUsername;
    const password = deps.secrets?.httpreqPassword;
    const auth =
      username && password ? `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` : undefined;
    this.http = new HttpClient({
      baseUrl: settings.endpoint.replace(/\/$/, ""),
      vendor: "httpreq",
      ...(auth ? { defaultHeaders: { authorization: auth } } : {}),
      sleep: deps.sleep,
      clock: deps.clock,
      ...(deps.ca ? { ca: deps.ca } : {}),
      ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      ...(deps.deadline ? { deadline: deps.deadline } : {}),
    });
    if (auth && password) {
      this.http.addSecret(password);
      this.http.addSecret(auth);
    }
  }

  timeout(): { timeoutMs: number; intervalMs: number } {
    // lego's defaults for httpreq: 60 s, polling every 2 s
    return {
      timeoutMs: (this.settings.propagationTimeout ?? 60) * 1000,
      intervalMs: (this.settings.pollingInterval ?? 2) * 1000,
    };
  }

  async present(domain: string, _token: string, keyAuth: string): Promise<void> {
    await this.http.request({
      method: "POST",
      path: "/present",
      json: challengeRecord(domain, keyAuth),
      responseType: "text",
    });
  }

  async cleanUp(domain: string, _token: string, keyAuth: string): Promise<void> {
    await this.http.request({
      method: "POST",
      path: "/cleanup",
      json: challengeRecord(domain, keyAuth),
      responseType: "text",
    });
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
