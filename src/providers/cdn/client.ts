/**
 * SwiftFederation HTTP calls, nothing else: every request signed (signature v2) on every attempt, so retries carry
 * a fresh date and nonce.
 */
import { HttpClient, type RetryInfo } from "../../http/index.js";
import type { ProviderContext } from "../context.js";
import { throwCdnError, uploadFailed } from "./errors.js";
import { eachArrayElement } from "./json-array.js";
import { signerFor, type SfdSigningKey } from "./signature.js";
import type { SfdAttachCertificateRequest, SfdCertificate, SfdUploadCertificateRequest } from "./types.js";

/** Content-Type: application/json is mandatory on every request, GET and DELETE included (VENDOR-NOTES). */
const JSON_HEADERS = { "content-type": "application/json", accept: "application/json" };

export interface SfdClientOptions {
  endpoint: string;
  key: SfdSigningKey;
  ctx: ProviderContext;
  userAgent?: string;
}

export class SfdClient {
  private readonly http: HttpClient;

  constructor(options: SfdClientOptions) {
    const { ctx } = options;
    this.http = new HttpClient({
      baseUrl: options.endpoint,
      vendor: "cdn",
      userAgent: options.userAgent,
      timeoutMs: ctx.timeoutMs,
      deadline: ctx.deadline,
      retry: ctx.retry === undefined ? undefined : { retries: 3, minDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 30_000, ...ctx.retry },
      sleep: ctx.sleep,
      sign: signerFor(options.key, ctx.clock),
      ca: ctx.ca,
      ...(ctx.connections ? { connections: ctx.connections } : {}),
      clock: ctx.clock,
      onRetry: (info: RetryInfo) => ctx.logger.debug("cdn request retried", { method: info.method, path: info.path, attempt: info.attempt, reason: info.reason }),
    });
    this.http.addSecret(options.key.accessKeySecret);
  }

  /** `POST /sfd/v2.0/certs`. Never retried: a repeated upload creates a second record. */
  async uploadCertificate(request: SfdUploadCertificateRequest): Promise<SfdCertificate> {
    try {
      const res = await this.http.request<SfdCertificate>({
        method: "POST",
        path: "/sfd/v2.0/certs",
        headers: JSON_HEADERS,
        body: JSON.stringify(request),
        idempotent: false,
      });
      return res.body;
    } catch (error) {
      throw uploadFailed(error);
    }
  }

  /** `GET /sfd/v2.0/certs` ("List Customer Certificates"): no parameters, a bare array of every record, no paging. */
  async listCertificates(): Promise<SfdCertificate[]> {
    try {
      // The account's whole list in one answer: decoded element by element from the bytes, so it is never held as a
      // string as well (JSON.parse would need bytes + string + objects at once).
      const res = await this.http.request<Uint8Array>({ method: "GET", path: "/sfd/v2.0/certs", headers: JSON_HEADERS, idempotent: true, responseType: "bytes" });
      const records: SfdCertificate[] = [];
      return eachArrayElement(res.body, (item) => records.push(item as SfdCertificate)) ? records : [];
    } catch (error) {
      return throwCdnError(error, "the certificate list");
    }
  }

  /** inferred: `GET /sfd/v2.0/certs/{id}`. */
  async getCertificate(id: number): Promise<SfdCertificate> {
    try {
      const res = await this.http.request<SfdCertificate>({ method: "GET", path: `/sfd/v2.0/certs/${id}`, headers: JSON_HEADERS, idempotent: true });
      return res.body;
    } catch (error) {
      return throwCdnError(error, `reading certificate ${id}`);
    }
  }

  /** inferred: `DELETE /sfd/v2.0/certs/{id}`. Deleting twice is harmless, so it may be retried. */
  async deleteCertificate(id: number): Promise<void> {
    try {
      await this.http.request<string>({ method: "DELETE", path: `/sfd/v2.0/certs/${id}`, headers: JSON_HEADERS, responseType: "text", idempotent: true });
    } catch (error) {
      throwCdnError(error, `deleting certificate ${id}`);
    }
  }

  /** `POST /cdn/v1.0/services/{serviceId}/certificates`; replaces the domain's attachment, so a retry is safe. */
  async attachCertificate(serviceId: string, request: SfdAttachCertificateRequest): Promise<void> {
    try {
      await this.http.request<unknown>({
        method: "POST",
        path: `/cdn/v1.0/services/${encodeURIComponent(serviceId)}/certificates`,
        headers: JSON_HEADERS,
        body: JSON.stringify(request),
        idempotent: true,
      });
    } catch (error) {
      throwCdnError(error, `attaching the certificate to service ${serviceId}`);
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
