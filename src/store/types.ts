import type { Deadline } from "../deadline.js";
import type { CertificateMaterial } from "../model.js";

/**
 * An in-progress renewal. It lives beside the current material (AWSPENDING in Secrets Manager) so a crashed or
 * retried run resumes the same order with the same key instead of buying again.
 */
export interface PendingRenewal {
  /** deterministic idempotency reference used with the issuer (e.g. reseller client_reference) */
  reference: string;
  createdAt: string; // ISO
  privateKey: string; // key generated for this renewal (PEM)
  csr: string;
  orderId?: string; // issuer order id once known
  certificate?: string; // once issued
  chain?: string;
  /** target labels this certificate has been deployed to and verified on */
  deployedTo: string[];
  attempts: number;
  /** `backoffUntil`: the issuer asked not to be asked again before then (a CA's Retry-After, a failed validation) */
  lastError?: { code: string; message: string; at: string; backoffUntil?: string };
  /**
   * References given up on because their order could not be collected with this renewal's key (the order was
   * reissued or renewed elsewhere, or a raced run lost the key). Kept so `check` and the logs can say what
   * happened to the money, and so a reference is never tried again.
   */
  abandoned?: { reference: string; orderId?: string; reason: string; at: string }[];
}

/** What a fleet scan needs of one secret: its current material and whether a renewal is in progress. */
export interface ScanRead {
  secretId: string;
  /** AWSCURRENT material, or undefined if the secret has none yet */
  current?: CertificateMaterial;
  /** a renewal is in progress (what getPending would return) */
  pending: boolean;
  /** this secret could not be read (what getCurrent/getPending would have thrown); the scan reports it */
  error?: unknown;
}

/** Who asks for a certificate's lease, and for how long. */
export interface LeaseRequest {
  /** unique per run (e.g. a UUID, the Lambda request id); shown to the run that finds the lease taken */
  owner: string;
  now: Date;
  /** how long the lease lasts if its holder dies without releasing it */
  ttlMs: number;
}

/** One writer per certificate: held from before the first write of a rotation until after its last. */
export interface Lease {
  readonly owner: string;
  /** Give the lease back. Safe to call twice; never throws (a lease taken over meanwhile is simply not ours). */
  release(): Promise<void>;
}

export type LeaseAttempt =
  | { acquired: true; lease: Lease }
  /** a live lease is held by another run: skip the certificate, it is in progress elsewhere */
  | { acquired: false; holder: string; expiresAt?: string };

/** Where certificate material, in-progress renewals and vendor credentials are kept. */
export interface Store {
  readonly kind: "secrets-manager" | "file";
  /** AWSCURRENT material, or undefined if the secret has none yet */
  getCurrent(secretId: string): Promise<CertificateMaterial | undefined>;
  getPending(secretId: string): Promise<PendingRenewal | undefined>;
  /** write/overwrite the in-progress renewal (AWSPENDING). Never touches AWSCURRENT. */
  putPending(secretId: string, pending: PendingRenewal): Promise<void>;
  /** pending (must hold certificate+chain) becomes current; old current becomes previous (AWSPREVIOUS) */
  promote(secretId: string): Promise<void>;
  /** drop the pending renewal (e.g. after it was abandoned); current untouched */
  clearPending(secretId: string): Promise<void>;
  /** seed/overwrite current directly (CLI import, demo seeding, first deploy) */
  putCurrent(secretId: string, material: CertificateMaterial): Promise<void>;
  /** credentials secret: a JSON object of strings, e.g. {"username":"..","password":".."} */
  getCredentials(secretId: string): Promise<Record<string, string>>;
  /** overwrite a credentials secret (created if missing): the ACME account key is made on first use and kept here */
  putCredentials?(secretId: string, credentials: Record<string, string>): Promise<void>;
  /**
   * Take the certificate's lease, or say who holds it. A lease whose holder died is taken over once it expired
   * (Secrets Manager: its recorded expiry; file store: its lock file went stale).
   */
  acquireLease(secretId: string, request: LeaseRequest): Promise<LeaseAttempt>;
  /** list managed secret ids under a prefix (paginated internally; async iterator so memory stays flat) */
  list(prefix: string): AsyncIterable<string>;
  /**
   * Optional, for fleet scans: the same answers as getCurrent + getPending for many secrets, in batches (in the
   * order given), with as few requests as the store allows. A store without it is read one secret at a time.
   */
  readForScan?(secretIds: readonly string[]): AsyncIterable<ScanRead[]>;
  /** vendor sessions kept beside credentials secrets; absent: sessions live only as long as one run */
  readonly sessions?: SessionStore;
}

/**
 * A vendor session (a Yeastar token pair). Secret like the credentials it was made with, and kept beside them, so
 * a run that was killed before it could revoke its session leaves it for the next run to reuse (and revoke)
 * instead of leaking it against the vendor's session budget.
 */
export interface VendorSession {
  accessToken: string;
  refreshToken: string;
  /** epoch ms */
  accessExpiresAt: number;
  refreshExpiresAt: number;
  /**
   * The runs using this token now, in any process: a run that ends revokes the token only when no other live run
   * holds it, so it never pulls a token from under another run. A killed run's hold is ignored once its process is
   * gone (same host) or its `until` passed.
   */
  holders?: SessionHolder[];
}

export interface SessionHolder {
  /** one client of one run */
  owner: string;
  /** epoch ms: the hold counts until then at most (the token's own expiry) */
  until: number;
  /** the holder's process, judged alive or gone on the same host */
  pid?: number;
  host?: string;
}

/** Vendor sessions per credentials secret and vendor endpoint (`key`). */
export interface SessionStore {
  getSessions(credentialsSecretId: string, key: string): Promise<VendorSession[]>;
  /** add, or replace the one with the same accessToken */
  putSession(credentialsSecretId: string, key: string, session: VendorSession): Promise<void>;
  removeSession(credentialsSecretId: string, key: string, accessToken: string): Promise<void>;
  /**
   * Read-modify-write of one endpoint's sessions, safe across processes: `change` gets the sessions as they are and
   * returns what they become (undefined: no write). When another writer got in between (Secrets Manager: a
   * compare-and-set on the sessions label; file store: under the secret's lock), `change` runs again on a fresh
   * read, so the last call of `change` is the one that was written.
   */
  updateSessions(
    credentialsSecretId: string,
    key: string,
    change: SessionsChange,
    options?: { deadline?: Deadline | undefined },
  ): Promise<void>;
}

/** What an endpoint's sessions become (undefined: leave them as they are). */
export type SessionsChange = (sessions: VendorSession[]) => VendorSession[] | undefined;
