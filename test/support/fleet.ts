/**
 * Shared set-up for the lambda-*.test.ts files: moto (Secrets Manager + SQS), a TestCA, vendor sandboxes on a
 * fixed clock, a Secrets Manager store whose writes are counted, and FleetDeps that capture every output line.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Deadline } from "../../src/deadline.js";
import type { FleetDeps, FleetSettings } from "../../src/fleet/deps.js";
import { DEFAULT_SETTINGS } from "../../src/fleet/deps.js";
import { parseConfig } from "../../src/config/index.js";
import type { LambdaContext } from "../../src/fleet/lambda-types.js";
import type { CertificateMaterial, Logger, VerifyResult } from "../../src/model.js";
import { createCdnTarget } from "../../src/providers/cdn/index.js";
import type { ProviderContext } from "../../src/providers/context.js";
import { StoreBackedProviders } from "../../src/providers/registry.js";
import { TestCA } from "../../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../../src/sandbox/cdn/server.js";
import { ManualClock } from "../../src/sandbox/server.js";
import { SecretsManagerStore } from "../../src/store/index.js";
import type { LeaseAttempt, LeaseRequest, PendingRenewal, ScanRead, Store } from "../../src/store/index.js";
import { awsClientConfig, startMoto, type MotoServer } from "./moto.js";
import { testProviderContext } from "./context.js";

export { createQueue, receiveAll } from "./sqs.js";

export const FLEET_NOW = new Date("2026-11-24T12:00:00Z");
export const DAY = 86_400_000;

/** A Lambda context with plenty of time left. */
export const roomyContext: LambdaContext = { getRemainingTimeInMillis: () => 600_000, awsRequestId: "req-test" };

export interface StoreWrites {
  putPending: number;
  promote: number;
  clearPending: number;
  putCurrent: number;
}

/** A store that counts its writes, so a test can say "nothing was written". */
export class CountingStore implements Store {
  readonly kind: Store["kind"];
  readonly writes: StoreWrites = { putPending: 0, promote: 0, clearPending: 0, putCurrent: 0 };
  constructor(private readonly inner: Store) {
    this.kind = inner.kind;
  }
  get totalWrites(): number {
    return this.writes.putPending + this.writes.promote + this.writes.clearPending + this.writes.putCurrent;
  }
  getCurrent(id: string): Promise<CertificateMaterial | undefined> {
    return this.inner.getCurrent(id);
  }
  getPending(id: string): Promise<PendingRenewal | undefined> {
    return this.inner.getPending(id);
  }
  putPending(id: string, pending: PendingRenewal): Promise<void> {
    this.writes.putPending += 1;
    return this.inner.putPending(id, pending);
  }
  promote(id: string): Promise<void> {
    this.writes.promote += 1;
    return this.inner.promote(id);
  }
  clearPending(id: string): Promise<void> {
    this.writes.clearPending += 1;
    return this.inner.clearPending(id);
  }
  putCurrent(id: string, material: CertificateMaterial): Promise<void> {
    this.writes.putCurrent += 1;
    return this.inner.putCurrent(id, material);
  }
  /** leases are bookkeeping, not material: counted apart from the writes */
  leases = 0;
  acquireLease(id: string, request: LeaseRequest): Promise<LeaseAttempt> {
    this.leases += 1;
    return this.inner.acquireLease(id, request);
  }
  getCredentials(id: string): Promise<Record<string, string>> {
    return this.inner.getCredentials(id);
  }
  list(prefix: string): AsyncIterable<string> {
    return this.inner.list(prefix);
  }
  // reads only, passed through so fleet runs read in batches as they do in production
  readForScan(ids: readonly string[]): AsyncIterable<ScanRead[]> {
    if (this.inner.readForScan) return this.inner.readForScan(ids);
    return (async function* (inner: Store) {
      for (const secretId of ids) {
        const [current, pending] = await Promise.all([inner.getCurrent(secretId), inner.getPending(secretId)]);
        yield [{ secretId, ...(current ? { current } : {}), pending: pending !== undefined }];
      }
    })(this.inner);
  }
}

export interface FleetFixture {
  moto: MotoServer;
  ca: TestCA;
  clock: ManualClock;
  cdn: CdnSandbox;
  sm: SecretsManagerClient;
  sqs: SQSClient;
  /** the real store, for seeding and reading back */
  secrets: SecretsManagerStore;
  ctx: ProviderContext;
  /** what the CDN edge serves for `host`, checked the way the pipeline checks it */
  verifyOnCdn(host: string, serial: string): Promise<VerifyResult>;
  stop(): Promise<void>;
}

export interface FleetFixtureOptions {
  /**
   * Run sandboxes and the CA on the real clock: for tests that call the Lambda handler itself, whose clock is the
   * system clock (signed vendor requests carry a time the sandbox checks).
   */
  realClock?: boolean;
}

export async function startFleetFixture(options: FleetFixtureOptions = {}): Promise<FleetFixture> {
  const moto = await startMoto();
  const start = options.realClock ? new Date() : FLEET_NOW;
  const clock = new ManualClock(start);
  const ca = await TestCA.create({ name: "Fleet Test", ...(options.realClock ? {} : { now: FLEET_NOW }) });
  const cdn = await startCdnSandbox({ ca, clock: options.realClock ? () => new Date() : clock.now });
  const sm = new SecretsManagerClient(awsClientConfig(moto.endpoint));
  const sqs = new SQSClient(awsClientConfig(moto.endpoint));
  const secrets = new SecretsManagerStore(sm);
  await secrets.putCredentials("certrelay/cdn", cdn.credentials);
  const ctx = testProviderContext(clock.now, { ca: ca.rootPem, retries: 2 });
  return {
    moto,
    ca,
    clock,
    cdn,
    sm,
    sqs,
    secrets,
    ctx,
    async verifyOnCdn(host, serial) {
      const target = createCdnTarget(
        { endpoint: cdn.url, verifyHost: host, verifyAddress: `127.0.0.1:${cdn.edgePort}` },
        cdn.credentials,
        ctx,
      );
      try {
        return await target.verify(serial);
      } finally {
        await target.close();
      }
    },
    async stop() {
      sm.destroy();
      sqs.destroy();
      await cdn.stop();
      await moto.stop();
    },
  };
}

/** A CDN target block for certrelay.yml, serving `host` on the sandbox edge. */
export function cdnTargetYaml(f: FleetFixture, host: string, indent = "      "): string {
  return [
    `- provider: cdn`,
    `  endpoint: ${f.cdn.url}`,
    `  credentials: certrelay/cdn`,
    `  verifyHost: ${host}`,
    `  verifyAddress: 127.0.0.1:${f.cdn.edgePort}`,
    `  serviceId: svc-${host.split(".")[0] ?? "x"}`,
  ]
    .map((line) => indent + line)
    .join("\n");
}

/** Current material in the store for `secret`: a certificate for `host` with `daysLeft` days left of `lifetimeDays`. */
export async function seedCurrent(
  f: FleetFixture,
  secret: string,
  host: string,
  daysLeft: number,
  lifetimeDays = 90,
): Promise<CertificateMaterial> {
  const notAfter = new Date(f.clock.now().getTime() + daysLeft * DAY + 3_600_000);
  const notBefore = new Date(notAfter.getTime() - lifetimeDays * DAY);
  const material = await f.ca.issue({ commonName: host, sans: [host], notBefore, notAfter });
  await f.secrets.putCurrent(secret, material);
  return material;
}

export interface DepsOptions {
  yaml: string;
  store?: Store;
  settings?: Partial<FleetSettings>;
  checkpoint?: FleetDeps["checkpoint"];
  notifiers?: FleetDeps["notifiers"];
  sqs?: SQSClient;
}

export interface CapturedDeps {
  deps: FleetDeps;
  /** every line the handler wrote (logs and EMF) */
  lines: string[];
  /** the lines parsed as JSON */
  json(): Record<string, unknown>[];
}

export async function fleetDeps(f: FleetFixture, options: DepsOptions): Promise<CapturedDeps> {
  const lines: string[] = [];
  const config = await parseConfig(options.yaml, "test certrelay.yml");
  const store = options.store ?? f.secrets;
  const settings: FleetSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const deps: FleetDeps = {
    loadConfig: async () => ({ config, source: "test certrelay.yml" }),
    store,
    createProviders: (logger: Logger, deadline?: Deadline) =>
      new StoreBackedProviders(store, { ...f.ctx, logger, deadline }),
    clock: f.clock.now,
    write: (line) => lines.push(line),
    ...(options.sqs ? { sqs: options.sqs } : {}),
    notifiers: options.notifiers ?? [],
    settings,
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    runId: () => "run-1",
  };
  return { deps, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** The per-certificate log line for `name`. */
export function certificateLine(lines: Record<string, unknown>[], name: string): Record<string, unknown> | undefined {
  return lines.find((l) => l.message === "certificate" && l.certificate === name);
}
