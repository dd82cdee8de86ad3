/**
 * What a vendor's sandbox hands the target and issuer contracts: a way to build the vendor object exactly as a
 * config entry would, material or requests it can act on, and counters read at the sandbox (requests as they
 * arrived), so the contracts assert what went over the wire rather than what the client says it did.
 */
import type { CertificateMaterial, IssueRequest } from "../../src/model.js";
import type { ProviderContext } from "../../src/providers/context.js";
import type { FaultInjector } from "../../src/sandbox/faults.js";
import type { Store } from "../../src/store/index.js";

/** A request the contracts fault or count: `method`/`path` as the fault injector matches, `key` as the server counts. */
export interface Route {
  method: string;
  path: string | RegExp;
  key: string;
}

/** Requests that make the change a deploy or purchase is for (counted together; a fault may hit any of them). */
export interface Landing {
  method: string;
  path: string | RegExp;
  keys: string[];
}

/** The sandbox side every subject exposes: fault injection and request counters. */
export interface SandboxProbe {
  faults: FaultInjector;
  /** requests received on a route key such as `POST /ssl-certificate`, faulted ones included */
  count(key: string): number;
  /** every request received */
  readonly requestCount: number;
}

export interface TargetSubject {
  /** the config entry as a user writes it (`provider`, `endpoint`, settings) */
  entry: Record<string, unknown>;
  credentials: Record<string, string>;
  /** new material this target can hold, a new serial at each call (EnOS: issued through the sandbox first) */
  material(): Promise<CertificateMaterial>;
  /** requests that change what the sandbox holds, so far */
  writes(): number;
  /**
   * The first write a deploy of new material sends. Absent: the target never writes (EnOS binds certificates at
   * issuance), and the contract checks instead that a deploy of material it does not hold writes nothing.
   */
  write?: Route;
  /**
   * The write that makes the change (Yeastar's create or in-place update after an upload; the CDN's upload): when its
   * answer is lost after it landed, the target must find it, not send it again. Absent with `write`.
   */
  landing?: Landing;
  /** material the target does not hold and cannot take by a write (only for targets without `write`) */
  foreignMaterial?(): Promise<CertificateMaterial>;
  sandbox: SandboxProbe;
  /** the test CA root (and any other roots) the provider context must trust */
  trust: string;
  /** provider context settings this vendor needs beyond the contract's (real sleeps for a CA that works asynchronously) */
  context?: Partial<ProviderContext>;
  stop(): Promise<void>;
}

export interface IssuerSubject {
  entry: Record<string, unknown>;
  credentials: Record<string, string>;
  /** a new renewal request: a fresh key of the issuer's key type, this reference */
  request(reference: string, keyType: "rsa" | "ecc"): Promise<IssueRequest>;
  /** certificates bought or orders placed at the CA so far: one per request whatever goes wrong */
  purchases(): number;
  /** the request that buys (places the order) */
  buy: Route;
  sandbox: SandboxProbe;
  trust: string;
  context?: Partial<ProviderContext>;
  /** the run's store when the issuer keeps state in it (the ACME account key) */
  store?: Store;
  stop(): Promise<void>;
}

/**
 * Properties a vendor is known to break today, by test name: the contract keeps the full assertion and runs it as
 * `it.fails`, so the gap stays visible and the test turns red the day the vendor is fixed (then drop the entry).
 */
export type KnownGaps = ReadonlySet<string>;
