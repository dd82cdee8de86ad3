/**
 * Yeastar P-Series OpenAPI wire format (yeastar-pbx-certificate-create.txt and VENDOR-NOTES), named as the PBX
 * names it, plus the DNS-provider parameter table that both the client (local validation before any request) and
 * the sandbox (server-side check) use, so the two can never disagree.
 */

/** Every answer: `errcode` 0 on success, HTTP 200 either way. */
export interface YeastarResponse {
  errcode: number;
  errmsg: string;
  // inferred: the docs only show errmsg "FAILURE"; the sandbox names the offending parameter here.
  param?: string;
  detail?: string;
}

export interface YeastarTokenRequest {
  username: string;
  password: string;
}

export interface YeastarTokenResponse extends YeastarResponse {
  access_token: string;
  /** seconds (1800) */
  access_token_expire_time: number;
  refresh_token: string;
  /** seconds (86400) */
  refresh_token_expire_time: number;
}

export interface YeastarRefreshRequest {
  refresh_token: string;
}

export interface YeastarUploadResponse extends YeastarResponse {
  /** the stored name in temporary storage; pass it as `name` to certificate/create */
  file: string;
}

export type YeastarCertificateType = "trusted" | "server";
export type YeastarCaType = "upload" | "apply";
export type YeastarApplyStatus = "issuing" | "issuance_success" | "issuance_fail";

/** One DNS authentication parameter: `k` plus exactly one typed value. */
export interface AuthInfo {
  k: string;
  iv?: number;
  sv?: string;
  bv?: boolean;
}

export interface YeastarCreateRequest {
  type: YeastarCertificateType;
  ca_type?: YeastarCaType;
  name?: string;
  issue_to?: string;
  auto_renewal?: 0 | 1;
  dns_provider?: string;
  auth_info_list?: AuthInfo[];
}

export interface YeastarCreateResponse extends YeastarResponse {
  name: string;
  apply_status: YeastarApplyStatus;
}

export interface YeastarCertificate {
  id: number;
  name: string;
  type: YeastarCertificateType;
  issue_to: string;
  // inferred: "YYYY-MM-DD HH:mm:ss" in UTC; the docs name the field but show no value.
  expiration: string;
  ca_type: YeastarCaType;
  auto_renewal: 0 | 1;
  dns_provider: string;
  apply_status: YeastarApplyStatus;
}

export interface YeastarCertificateDetail extends YeastarCertificate {
  /** an integer, present when an application or renewal failed (Query Information of a Certificate) */
  apply_tip_code?: number;
  /** secrets come back masked */
  auth_info_list?: AuthInfo[];
}

export interface YeastarListQuery {
  page?: number;
  page_size?: number;
  sort_by?: "id" | "name" | "issue_to" | "expiration" | "type";
  order_by?: "asc" | "desc";
  type?: YeastarCertificateType;
}

export interface YeastarListResponse extends YeastarResponse {
  total_number: number;
  certificate_list: YeastarCertificate[];
}

export interface YeastarQueryResponse extends YeastarResponse {
  total_number?: number;
  certificate_list: YeastarCertificateDetail[];
}

/** `GET certificate/get?id=N` answers one certificate as `certificate` (Query Information of a Certificate). */
export interface YeastarGetResponse extends YeastarResponse {
  certificate: YeastarCertificateDetail;
}

/** `POST certificate/update` (Edit a Certificate): `name` replaces the file with a freshly uploaded one. */
export interface YeastarUpdateRequest {
  id: number;
  name?: string;
  issue_to?: string;
  auto_renewal?: 0 | 1;
  dns_provider?: string;
  auth_info_list?: AuthInfo[];
}

/** `certificate/delete` answers integer flags: 1 = the PBX must reboot / apply configuration (Delete a Certificate). */
export interface YeastarDeleteResponse extends YeastarResponse {
  reboot?: number;
  apply?: number;
}

/** `GET webserver/get`: the name of the certificate the web server uses; `default` is the self-signed one. */
export interface YeastarWebserverResponse extends YeastarResponse {
  https_cert: string;
}

/** The `https_cert` value that selects the PBX's self-signed default certificate. */
export const DEFAULT_HTTPS_CERT = "default";

/** Documented error codes (VENDOR-NOTES). */
export const YeastarErrcode = {
  SUCCESS: 0,
  FAILURE: -1,
  INTERNAL: -2,
  PARTIAL: 1,
  PROCESSING: 2,
  TOKEN_EXPIRED: 10004,
  ACCESS_DENIED: 10005,
  OPERATION_FAILED: 10009,
  PARAMETER_ERROR: 40001,
  DUPLICATE: 40002,
  // inferred: 40003 for a file the PBX cannot use (bad PEM, missing or mismatched key), 40004 for its size.
  FILE_INVALID: 40003,
  FILE_TOO_LARGE: 40004,
  NOT_FOUND: 60001,
  LIMIT_EXCEEDED: 60002,
  IP_BLOCKED: 70004,
} as const;

/** PBX limits from the spec's "Limitations". */
export const YEASTAR_LIMITS: Record<YeastarCertificateType, number> = { server: 3, trusted: 20 };

export type AuthValueKind = "sv" | "iv" | "bv";

/**
 * What a DNS provider needs in `auth_info_list`. `required` lists alternative complete sets: one of them must be
 * given in full (Cloudflare takes an API token, or e-mail plus global key).
 */
export interface DnsProviderParams {
  required: readonly (readonly string[])[];
  optional: readonly string[];
  /** keys whose values are secrets: masked in query answers, never logged */
  secret: readonly string[];
}

// The spec: "optional tuning keys" PropagationTimeout/PollingInterval/TTL come as integers (`iv`).
export const DNS_TUNING_KEYS: readonly string[] = ["PropagationTimeout", "PollingInterval", "TTL"];

/**
 * Flag names are lego's DNS provider names (VENDOR-NOTES). alidns's keys are the spec's example; the others are
 * inferred: no public Yeastar page lists them, so they follow lego's parameters in the spelling the spec uses for
 * alidns (cloudflare keeps lego's environment names, which Yeastar's UI shows for it).
 */
export const DNS_PROVIDERS: Readonly<Record<string, DnsProviderParams>> = {
  alidns: { required: [["AccessKeyId", "AccessKeySecret"]], optional: ["RegionID"], secret: ["AccessKeySecret"] },
  cloudflare: {
    required: [["CF_DNS_API_TOKEN"], ["CF_API_EMAIL", "CF_API_KEY"]],
    optional: ["CF_ZONE_API_TOKEN"],
    secret: ["CF_DNS_API_TOKEN", "CF_API_KEY", "CF_ZONE_API_TOKEN"],
  },
  route53: {
    required: [["AccessKeyId", "SecretAccessKey", "Region"]],
    optional: ["HostedZoneID"],
    secret: ["SecretAccessKey"],
  },
  godaddy: { required: [["APIKey", "APISecret"]], optional: [], secret: ["APISecret"] },
  tencentcloud: { required: [["SecretId", "SecretKey"]], optional: ["Region"], secret: ["SecretKey"] },
};

export interface AuthInfoProblem {
  /** the parameter to fix, e.g. `dns_provider` or `auth_info_list.AccessKeySecret` */
  param: string;
  detail: string;
}

/**
 * Check `auth_info_list` against the provider's complete parameter set. Returns the first problem, or undefined.
 * Messages name keys, never values.
 */
export function checkAuthInfo(dnsProvider: string, list: readonly AuthInfo[]): AuthInfoProblem | undefined {
  const params = DNS_PROVIDERS[dnsProvider];
  if (!params) {
    return {
      param: "dns_provider",
      detail: `unsupported dns_provider '${dnsProvider}'; supported: ${Object.keys(DNS_PROVIDERS).join(", ")}`,
    };
  }
  const seen = new Set<string>();
  for (const item of list) {
    if (typeof item.k !== "string" || item.k === "")
      return { param: "auth_info_list.k", detail: "every auth_info_list item needs a key k" };
    const name = `auth_info_list.${item.k}`;
    if (seen.has(item.k)) return { param: name, detail: `${item.k} is given twice` };
    seen.add(item.k);
    const kinds = (["sv", "iv", "bv"] as const).filter((kind) => item[kind] !== undefined);
    if (kinds.length !== 1) return { param: name, detail: `${item.k} needs exactly one of sv, iv, bv` };
    const allKeys = [...params.required.flat(), ...params.optional];
    if (DNS_TUNING_KEYS.includes(item.k)) {
      if (kinds[0] !== "iv" || !Number.isInteger(item.iv) || (item.iv ?? 0) < 0) {
        return { param: name, detail: `${item.k} is an integer parameter: pass it as iv (a non-negative integer)` };
      }
      continue;
    }
    // inferred: unknown keys are refused rather than ignored, so a typo cannot pass as a complete set.
    if (!allKeys.includes(item.k)) {
      return { param: name, detail: `${item.k} is not a ${dnsProvider} parameter; expected ${describeSets(params)}` };
    }
    if (kinds[0] !== "sv" || typeof item.sv !== "string" || item.sv === "") {
      return { param: name, detail: `${item.k} is a string parameter: pass it as a non-empty sv` };
    }
  }
  const complete = params.required.some((set) => set.every((k) => seen.has(k)));
  if (!complete) {
    const nearest = params.required.find((set) => set.some((k) => seen.has(k))) ?? params.required[0] ?? [];
    const missing = nearest.filter((k) => !seen.has(k));
    return {
      param: `auth_info_list.${missing[0] ?? "k"}`,
      detail: `${dnsProvider} needs the complete parameter set ${describeSets(params)}; missing ${missing.join(", ")}`,
    };
  }
  return undefined;
}

function describeSets(params: DnsProviderParams): string {
  return params.required.map((set) => set.join(" + ")).join(" or ");
}
