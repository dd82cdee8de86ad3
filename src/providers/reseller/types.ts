/** Resello wire format (ssl-reseller-certificate.txt); object fields are inferred, the spec does not publish them. */
export type DcvType = "EMAIL" | "FILE" | "DNS";

export interface SslCertificate {
  id: string;
  status: "pending" | "active" | "cancelled" | "expired";
  plan: string;
  client_reference: string | null;
  common_name: string;
  domains: string[];
  valid_from: string | null;
  valid_until: string | null;
  dcv_type: string;
  validation?: { status: string; method: string; message: string };
  created_at: string;
}

/** Body of POST /ssl-certificate, /{id}/renew and /{id}/reissue. */
export interface SslCertificateRequest {
  csr: string;
  dcv_type: DcvType;
  plan?: string;
  client_reference?: string;
  approver_email_address?: string;
  chamber_of_commerce?: string;
  company_name?: string;
  department?: string;
  address?: string;
  city?: string;
  zip_code?: string;
  approver_first_name?: string;
  approver_last_name?: string;
  approver_phone_number?: string;
}

export interface ValidationDetails {
  status: string;
  dcv_type: string;
  steps: { domain: string; dcv_type: string; status: string; message: string; email_address?: string }[];
}

/** inferred error body */
export interface ResellerErrorBody {
  error?: { code?: string; message?: string; field?: string };
}

export type DownloadFormat = "zip" | "pkcs7" | "crt" | "csr" | "ca";
