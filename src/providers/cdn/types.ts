/** SwiftFederation wire format, named as the vendor names it (cdn-upload-certificate.txt, VENDOR-NOTES). */

/** Body of `POST /sfd/v2.0/certs`. `privateKey` must be PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`). */
export interface SfdUploadCertificateRequest {
  certificate: string;
  privateKey: string;
  chain?: string;
}

/** A certificate record: the upload response, and (inferred) each element of the list and the get answer. */
export interface SfdCertificate {
  id: number;
  customerId: number;
  commonName: string;
  /** `DNS:a, DNS:b` */
  subjectAlternativeNames: string;
  /** DECIMAL serial number */
  serialNumber: string;
  /** the issuer's common name */
  issuer: string;
  organization?: string;
  organizationalUnit?: string;
  country: string;
  stateOrProvince?: string;
  locality?: string;
  /** `yyyy-MM-dd'T'HH:mm:ss'Z'`; `created` sometimes carries milliseconds */
  validFrom: string;
  validTo: string;
  created: string;
  expireIn: number;
}

/** Body of `POST /cdn/v1.0/services/{serviceId}/certificates`. */
export interface SfdAttachCertificateRequest {
  certificateId: number;
  domainName: string;
}

/** inferred: error body `{code, message}` (the spec lists the pairs, not the envelope). */
export interface SfdErrorBody {
  code: string;
  message: string;
}
