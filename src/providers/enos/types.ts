/** EnOS wire format, named as EnOS names it (enos-apply-certificate.txt, VENDOR-NOTES, EnOS token docs). */

/** `POST /apim-token-service/v2.0/token/get` body. */
export interface ApimTokenRequest {
  appKey: string;
  /** lowercase hex sha256(appKey + timestamp + appSecret) */
  encryption: string;
  /** Unix milliseconds */
  timestamp: number;
}

export interface ApimTokenResponse {
  status: number;
  msg?: string;
  business?: string;
  data?: { accessToken: string; expire: number };
}

/** What the gateway answers when it refuses a signed request (inferred shape: APIM status + msg). */
export interface ApimRefusal {
  status?: number;
  code?: number;
  msg?: string;
}

/** Every Connect Service answer: `code` 0 is success. */
export interface EnosResponse<T> {
  code: number;
  msg?: string;
  requestId?: string;
  data?: T;
}

/** Query parameters that name the device: `orgId` + (`assetId` | `productKey` + `deviceKey`). */
export interface DeviceIdentifier {
  orgId: string;
  assetId?: string;
  productKey?: string;
  deviceKey?: string;
}

export type IssueAuthority = "RSA" | "ECC";

export interface ApplyCertificateBody {
  csr: string;
  validDay?: number;
  issueAuthority?: IssueAuthority;
}

export interface RenewCertificateBody {
  /** an integer in the docs, their samples and the Java SDK (`"certSn": 52770`) */
  certSn: number;
  csr?: string;
  validDay?: number;
  issueAuthority?: IssueAuthority;
}

export interface RevokeCertificateBody {
  /** an integer, as for renew */
  certSn: number;
  /** CRL reason code: 0 unspecified, 1 key compromise, 3 affiliation changed, 4 superseded, ... */
  reason: number;
}

/** `DeviceCertApplyResultInfo` (apply; renew answers the same, inferred). */
export interface DeviceCertApplyResultInfo {
  /** a portal URL (`https://{domain}/enos/CA/cacert[/RSA]`), not necessarily the gateway; fetched only without caCert */
  certChainURL?: string;
  caCert?: string;
  cert: string;
  certSN: string;
  issueAuthority: string;
}

/** certStatus: 0 valid, 1 revoked, 2 expired. */
export type CertStatus = 0 | 1 | 2;

/**
 * One entry of `certificates?action=list`; times are epoch milliseconds. `cert` is not reliably a PEM (the
 * documented sample holds a short value): identify a certificate by `certSN` and its dates.
 */
export interface DeviceCertInfo {
  /** decimal: the apply sample's certSN "32720" is its certificate's serial 0x7FD0 */
  certSN: string;
  cert: string;
  certStatus: CertStatus;
  issuer: string;
  subject: string;
  signDate: number;
  /** the documented spelling (sic) */
  effetiveDate?: number;
  /** the spelling of later API versions; either may come */
  effectiveDate?: number;
  expireDate: number;
  revoker?: string;
  revokerReason?: string;
}
