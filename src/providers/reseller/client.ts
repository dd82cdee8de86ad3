/** Resello over HTTP (basic auth, JSON). Nothing here knows certrelay's model. */
import { HttpClient } from "../../http/index.js";
import type { ProviderContext } from "../context.js";
import { mapResellerError } from "./errors.js";
import type { DownloadFormat, SslCertificate, SslCertificateRequest, ValidationDetails } from "./types.js";

/** @deprecated certrelay no longer pages GET /ssl-certificate (the spec documents no paging); kept for benchmarks */
export const PAGE_SIZE = 500;

export class ResellerClient {
  private readonly http: HttpClient;

  constructor(endpoint: string, credentials: { username: string; apiKey: string }, ctx: ProviderContext) {
    const auth = `Basic ${Buffer.from(`${credentials.username}:${credentials.apiKey}`).toString("base64")}`;
    this.http = new HttpClient({
      baseUrl: endpoint,
      vendor: "reseller",
      sleep: ctx.sleep,
      clock: ctx.clock,
      defaultHeaders: { authorization: auth },
      ...(ctx.retry ? { retry: ctx.retry } : {}),
      ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
      deadline: ctx.deadline,
      ...(ctx.ca ? { ca: ctx.ca } : {}),
      ...(ctx.connections ? { connections: ctx.connections } : {}),
      onRetry: (info) => ctx.logger.debug("reseller request retried", { ...info }),
    });
    this.http.addSecret(credentials.apiKey);
    this.http.addSecret(auth);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async call<T>(action: string, run: () => Promise<{ body: T }>): Promise<T> {
    try {
      return (await run()).body;
    } catch (error) {
      throw mapResellerError(error, action);
    }
  }

  findByReference(reference: string): Promise<SslCertificate[]> {
    return this.call("look up the order by client_reference", () => this.http.request<SslCertificate[]>({ method: "GET", path: "/ssl-certificate", query: { client_reference: reference } }));
  }

  /** Every certificate of the account: the spec's list without filters (no documented paging). */
  listAll(): Promise<SslCertificate[]> {
    return this.call("list certificates", () => this.http.request<SslCertificate[]>({ method: "GET", path: "/ssl-certificate" }));
  }

  get(id: string): Promise<SslCertificate> {
    return this.call("read the certificate order", () => this.http.request<SslCertificate>({ method: "GET", path: `/ssl-certificate/${encodeURIComponent(id)}` }));
  }

  /** Never retried blindly: the caller recovers through client_reference. */
  create(body: SslCertificateRequest): Promise<SslCertificate> {
    return this.call("create the certificate", () => this.http.request<SslCertificate>({ method: "POST", path: "/ssl-certificate", json: body }));
  }

  renew(id: string, body: SslCertificateRequest): Promise<SslCertificate> {
    return this.call("renew the certificate", () => this.http.request<SslCertificate>({ method: "POST", path: `/ssl-certificate/${encodeURIComponent(id)}/renew`, json: body }));
  }

  reissue(id: string, body: SslCertificateRequest): Promise<SslCertificate> {
    return this.call("reissue the certificate", () => this.http.request<SslCertificate>({ method: "POST", path: `/ssl-certificate/${encodeURIComponent(id)}/reissue`, json: body }));
  }

  validationDetails(id: string): Promise<ValidationDetails> {
    return this.call("read validation details", () => this.http.request<ValidationDetails>({ method: "GET", path: `/ssl-certificate/${encodeURIComponent(id)}/validation-details` }));
  }

  download(id: string, format: DownloadFormat): Promise<string> {
    return this.call(`download the ${format}`, () => this.http.request<string>({ method: "GET", path: `/ssl-certificate/${encodeURIComponent(id)}/download-${format}`, responseType: "text" }));
  }
}
