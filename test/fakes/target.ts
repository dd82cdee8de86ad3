/**
 * An in-memory Target (cert-manager's `pkg/issuer/fake` idea): holds what was deployed, serves the last write, counts
 * writes and closes, and fails on request. For tests of the pipeline's own logic; what a vendor does over HTTP is the
 * contract's and the sandboxes' business (test/contract/).
 */
import { CertrelayError, ErrorCodes } from "../../src/errors.js";
import type {
  CertificateMaterial,
  Clock,
  DeployedCertificate,
  DeployResult,
  Target,
  VerifyResult,
} from "../../src/model.js";
import { certFacts, expireInDays, normalizeSerial } from "../../src/x509/index.js";

export interface FakeTargetOptions {
  /** shown in reports as `fake <name>` */
  name: string;
  clock: Clock;
  /** the provider name reports carry (any built-in name; the pipeline never branches on it) */
  provider?: Target["provider"];
}

export class FakeTarget implements Target {
  readonly provider: Target["provider"];
  readonly label: string;
  /** what the target holds, by serial */
  readonly held = new Map<string, DeployedCertificate>();
  /** the serial verify() finds served: the last one written */
  served: string | undefined;
  /** deploys that wrote (dry runs and "already held" never count) */
  writes = 0;
  closes = 0;
  private failures: { error: () => Error; times: number }[] = [];
  private nextId = 1;

  constructor(private readonly options: FakeTargetOptions) {
    this.provider = options.provider ?? "cdn";
    this.label = `fake ${options.name}`;
  }

  /** The next `times` writes fail (default: one); each throws a fresh VendorError unless `error` says otherwise. */
  failWrites(
    times = 1,
    error: () => Error = () =>
      new CertrelayError(ErrorCodes.VENDOR_ERROR, `${this.label} refused the upload (injected)`, { status: 503 }),
  ): this {
    this.failures.push({ error, times });
    return this;
  }

  /** Writes land in the list but the target keeps serving what it served before (a CDN edge that never picks it up). */
  stale = false;

  /** Stop failing and serve what is written. */
  heal(): this {
    this.failures = [];
    this.stale = false;
    return this;
  }

  async deploy(material: CertificateMaterial): Promise<DeployResult> {
    const facts = certFacts(material.certificate);
    const now = this.options.clock();
    const known = this.held.get(facts.serial);
    if (known && this.served === facts.serial) return { ...known, changed: false };
    const failure = this.failures.find((f) => f.times > 0);
    if (failure) {
      failure.times -= 1;
      throw failure.error();
    }
    this.writes += 1;
    const record: DeployedCertificate = known ?? {
      id: String(this.nextId++),
      serial: facts.serial,
      commonName: facts.commonName,
      notAfter: facts.notAfter,
      expireIn: expireInDays(facts.notAfter, now),
    };
    this.held.set(facts.serial, record);
    if (!this.stale) this.served = facts.serial;
    return { ...record, changed: true };
  }

  async *list(): AsyncIterable<DeployedCertificate> {
    yield* [...this.held.values()];
  }

  async verify(serial: string): Promise<VerifyResult> {
    const want = normalizeSerial(serial);
    if (this.served === want) return { ok: true, servedSerial: want, detail: `${this.label} serves ${want}` };
    return {
      ok: false,
      ...(this.served ? { servedSerial: this.served } : {}),
      detail: `${this.label} serves ${this.served ?? "nothing"}, expected ${want}`,
    };
  }

  async close(): Promise<void> {
    this.closes += 1;
  }
}
