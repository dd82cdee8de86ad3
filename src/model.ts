/**
 * The words the core speaks. Vendor wire names stay inside src/providers/<vendor>/; everything the pipeline,
 * the Action, the Lambda and the CLI see is expressed in these types.
 */

/** A time source, injected so tests can pin "now". */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** Sleep, injected so retries and polls never make tests wait. */
export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A provider definition's name: the `provider:` value of a config entry. Any string, because a catalog may hold
 * providers beyond the built-in ones (a test's); the built-in names are `BuiltInProviderName`, derived from the list
 * in src/providers/index.ts.
 */
export type ProviderName = string;

export type KeyType = "rsa" | "ecc";
/** Sizes beyond RSA-2048 / P-256, for issuers that offer them (ACME rsa3072, ec384). */
export interface KeyOptions {
  rsaBits?: 2048 | 3072;
  curve?: "P-256" | "P-384";
}

/** When the CA itself advises renewal (ACME Renewal Information, RFC 9773); it replaces the days rule. */
export interface RenewalAdvice {
  renewAt: Date;
  detail: string;
}

/** Certificate material as it is stored and deployed: PEM text. `chain` excludes the leaf, ordered leaf-side first. */
export interface CertificateMaterial {
  certificate: string;
  privateKey: string;
  chain: string;
}

/** What a target holds. `serial` is upper-case hex without leading zeros or colons (see x509 `normalizeSerial`). */
export interface DeployedCertificate {
  id: string;
  serial: string;
  commonName: string;
  notAfter: Date;
  /** Whole days left, as the CDN computes it (floor of remaining time / 1 day). */
  expireIn: number;
}

export interface DeployResult extends DeployedCertificate {
  /** false when the target already held this certificate and nothing was written. */
  changed: boolean;
  /** things the user must do or know, e.g. "the PBX must apply its configuration" after a prune */
  notes?: string[];
}

export interface VerifyResult {
  ok: boolean;
  /** The serial the target actually holds/serves, when it could be read. */
  servedSerial?: string;
  detail: string;
}

/** A system that serves a certificate: deploy material to it, list what it holds, verify what it serves. */
export interface Target {
  /** the definition's name */
  readonly provider: ProviderName;
  /** Human label for tables and logs, e.g. `cdn https://127.0.0.1:4000`. Never contains credentials. */
  readonly label: string;
  /**
   * Put the material on the target (a write; idempotent: a target already holding it answers `changed: false`).
   * There is no dry run here: a dry run never calls deploy, it inspects (`verify`) and reports what would change.
   */
  deploy(material: CertificateMaterial): Promise<DeployResult>;
  /** Streams what the target holds (paginated under the hood, so memory stays flat for big fleets). */
  list(): AsyncIterable<DeployedCertificate>;
  verify(serial: string): Promise<VerifyResult>;
  /** Release tokens/connections (e.g. Yeastar `del_token`). Safe to call twice. */
  close(): Promise<void>;
}

export interface IssueRequest {
  csr: string;
  commonName: string;
  sans: string[];
  /**
   * Deterministic idempotency reference for this renewal (e.g. `certrelay:www:<serial being replaced>`), so a
   * retried or crashed run finds its earlier order instead of buying again.
   */
  reference: string;
  /** The order/certificate id of the one being renewed, when the issuer tracks one. */
  previousOrderId?: string;
  /** Serial (normalized hex) of the certificate being replaced, when there is one. */
  previousSerial?: string;
  /** PEM of the certificate being replaced (ACME `replaces`, RFC 9773 §5). */
  previousCertificate?: string;
  validDays?: number;
  /** Persist an order id as soon as the issuer has one, before waiting on it, so a crash resumes that order. */
  onOrder?: (orderId: string) => Promise<void>;
}

export type IssueOutcome =
  | { state: "issued"; certificate: string; chain: string; orderId: string }
  | { state: "pending"; orderId: string; detail: string };

/** A system that obtains certificates. */
export interface Issuer {
  /** the definition's name */
  readonly provider: ProviderName;
  readonly label: string;
  /** The key type this issuer wants a CSR for. */
  readonly keyType: KeyType;
  readonly keyOptions?: KeyOptions;
  /** The CA's advised renewal time for a certificate; undefined when it gives none (the days rule applies). */
  renewalAdvice?(certificate: string): Promise<RenewalAdvice | undefined>;
  /**
   * Place the order (or find the one this request already placed) and answer once: issued, or pending with the
   * order id. Never waits for the order: the pipeline's poll loop asks again through `resume`.
   */
  issue(request: IssueRequest): Promise<IssueOutcome>;
  /** Ask once about an order started earlier (by this run's `issue`, or by a crashed run). */
  resume(orderId: string, request: IssueRequest): Promise<IssueOutcome>;
  /**
   * The order this request already placed (a purchase whose answer was lost, a run that died), collected as
   * `resume` would; undefined when there is none. Never buys. Issuers without a way to look orders up omit it.
   */
  lookup?(request: IssueRequest): Promise<IssueOutcome | undefined>;
  close(): Promise<void>;
}

/** Structured logger. Fields must never carry secrets; the Lambda prints them as JSON, the CLI as text. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export const DAY_MS = 86_400_000;
