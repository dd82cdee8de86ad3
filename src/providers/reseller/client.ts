/** Resello over HTTP (basic auth, JSON). Nothing here knows certrelay's model. */
import type { ProviderContext } from "../context.js";
import { VendorHttp } from "../kit/http.js";
import { mapResellerError } from "./errors.js";
import type { DownloadFormat, SslCertificate, SslCertificateRequest, ValidationDetails } from "./types.js";

/** @deprecated certrelay no longer pages GET /ssl-certificate (the spec documents no paging); kept for benchmarks */
export const PAGE_SIZE = 500;

const order = (id: string): string => `/ssl-certificate/${encodeURIComponent(id)}`;

export class ResellerClient {
  private readonly http: VendorHttp;

  constructor(endpoint: string, credentials: { username: string; apiKey: string }, ctx: ProviderContext) {
    const auth = `Basic ${Buffer.from(`${credentials.username}:${credentials.apiKey}`).toString("base64")}`;
    this.http = new VendorHttp({
      vendor: "reseller",
      baseUrl: endpoint,
      ctx,
      headers: { authorization: auth },
      secrets: [credentials.apiKey, auth],
      mapError: mapResellerError,
    });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  findByReference(reference: string): Promise<SslCertificate[]> {
    return this.http.call("look up the order by client_reference", {
      method: "GET",
      path: "/ssl-certificate",
      query: { client_reference: reference },
    });
  }

  /** Every certificate of the account: the spec's list without filters (no documented paging). */
  listAll(): Promise<SslCertificate[]> {
    return this.http.call("list certificates", { method: "GET", path: "/ssl-certificate" });
  }

  get(id: string): Promise<SslCertificate> {
    return this.http.call("read the certificate order", { method: "GET", path: order(id) });
  }

  /** Never retried blindly: the caller looks the order up by client_reference (kit/landed.ts). */
  create(body: SslCertificateRequest): Promise<SslCertificate> {
    return this.http.call("create the certificate", { method: "POST", path: "/ssl-certificate", json: body });
  }

  renew(id: string, body: SslCertificateRequest): Promise<SslCertificate> {
    return this.http.call("renew the certificate", { method: "POST", path: `${order(id)}/renew`, json: body });
  }

  reissue(id: string, body: SslCertificateRequest): Promise<SslCertificate> {
    return this.http.call("reissue the certificate", { method: "POST", path: `${order(id)}/reissue`, json: body });
  }

  validationDetails(id: string): Promise<ValidationDetails> {
    return this.http.call("read validation details", { method: "GET", path: `${order(id)}/validation-details` });
  }

  download(id: string, format: DownloadFormat): Promise<string> {
    return this.http.call(`download the ${format}`, {
      method: "GET",
      path: `${order(id)}/download-${format}`,
      responseType: "text",
    });
  }
}
