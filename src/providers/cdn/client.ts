/**
 * SwiftFederation HTTP calls, nothing else: every request signed (signature v2) on every attempt, so retries carry
 * a fresh date and nonce.
 */
import type { ProviderContext } from "../context.js";
import { VendorHttp } from "../kit/http.js";
import { mapCdnError, uploadFailed } from "./errors.js";
import { eachArrayElement } from "./json-array.js";
import { signerFor, type SfdSigningKey } from "./signature.js";
import type { SfdAttachCertificateRequest, SfdCertificate, SfdUploadCertificateRequest } from "./types.js";

export interface SfdClientOptions {
  endpoint: string;
  key: SfdSigningKey;
  ctx: ProviderContext;
  userAgent?: string;
}

export class SfdClient {
  private readonly http: VendorHttp;

  constructor(options: SfdClientOptions) {
    this.http = new VendorHttp({
      vendor: "cdn",
      baseUrl: options.endpoint,
      ctx: options.ctx,
      userAgent: options.userAgent,
      // Content-Type: application/json is mandatory on every request, GET and DELETE included (VENDOR-NOTES).
      headers: { "content-type": "application/json", accept: "application/json" },
      sign: signerFor(options.key, options.ctx.clock),
      secrets: [options.key.accessKeySecret],
      mapError: mapCdnError,
    });
  }

  /** `POST /sfd/v2.0/certs`. Never retried: a repeated upload creates a second record (the caller looks it up). */
  async uploadCertificate(request: SfdUploadCertificateRequest): Promise<SfdCertificate> {
    try {
      return (
        await this.http.request<SfdCertificate>({
          method: "POST",
          path: "/sfd/v2.0/certs",
          body: JSON.stringify(request),
          idempotent: false,
        })
      ).body;
    } catch (error) {
      throw uploadFailed(error);
    }
  }

  /** `GET /sfd/v2.0/certs` ("List Customer Certificates"): no parameters, a bare array of every record, no paging. */
  async listCertificates(): Promise<SfdCertificate[]> {
    // The account's whole list in one answer: decoded element by element from the bytes, so it is never held as a
    // string as well (JSON.parse would need bytes + string + objects at once).
    const bytes = await this.http.call<Uint8Array>("the certificate list", {
      method: "GET",
      path: "/sfd/v2.0/certs",
      responseType: "bytes",
    });
    const records: SfdCertificate[] = [];
    return (await eachArrayElement(bytes, (item) => records.push(item as SfdCertificate))) ? records : [];
  }

  /** inferred: `GET /sfd/v2.0/certs/{id}`. */
  getCertificate(id: number): Promise<SfdCertificate> {
    return this.http.call(`reading certificate ${id}`, { method: "GET", path: `/sfd/v2.0/certs/${id}` });
  }

  /** inferred: `DELETE /sfd/v2.0/certs/{id}`. Deleting twice is harmless, so it may be retried. */
  async deleteCertificate(id: number): Promise<void> {
    await this.http.call(`deleting certificate ${id}`, {
      method: "DELETE",
      path: `/sfd/v2.0/certs/${id}`,
      responseType: "text",
    });
  }

  /** `POST /cdn/v1.0/services/{serviceId}/certificates`; replaces the domain's attachment, so a retry is safe. */
  async attachCertificate(serviceId: string, request: SfdAttachCertificateRequest): Promise<void> {
    await this.http.call(`attaching the certificate to service ${serviceId}`, {
      method: "POST",
      path: `/cdn/v1.0/services/${encodeURIComponent(serviceId)}/certificates`,
      body: JSON.stringify(request),
      idempotent: true,
    });
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
