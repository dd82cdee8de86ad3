/**
 * A small world for pipeline tests: a test CA, an EnOS issuer sandbox, a CDN and a Yeastar target sandbox on one
 * manual clock, a FileStore in a temp dir holding a due certificate, and the config that ties them together.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type CertrelayConfig } from "../../src/config/index.js";
import { DAY_MS, silentLogger, type CertificateMaterial } from "../../src/model.js";
import type { PipelineDeps } from "../../src/pipeline/index.js";
import type { ProviderContext } from "../../src/providers/context.js";
import { StoreBackedProviders } from "../../src/providers/registry.js";
import { TestCA } from "../../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../../src/sandbox/cdn/server.js";
import { startEnosSandbox, type EnosSandbox } from "../../src/sandbox/enos/server.js";
import { ManualClock } from "../../src/sandbox/server.js";
import { startYeastarSandbox, type YeastarSandbox } from "../../src/sandbox/yeastar/server.js";
import { FileStore } from "../../src/store/index.js";
import { testProviderContext } from "./context.js";

export const WORLD_NOW = new Date("2026-11-24T12:00:00Z");

export interface PipelineWorld {
  ca: TestCA;
  clock: ManualClock;
  enos: EnosSandbox;
  cdn: CdnSandbox;
  yeastar: YeastarSandbox;
  store: FileStore;
  config: CertrelayConfig;
  /** the due certificate seeded as current */
  seeded: CertificateMaterial;
  /** the provider context deps() uses (no deadline) */
  ctx: ProviderContext;
  deps(overrides?: Partial<PipelineDeps>): PipelineDeps;
  stop(): Promise<void>;
}

export async function startPipelineWorld(): Promise<PipelineWorld> {
  const clock = new ManualClock(WORLD_NOW);
  const ca = await TestCA.create({ name: "Pipeline Test", now: WORLD_NOW });
  const [enos, cdn, yeastar] = await Promise.all([
    startEnosSandbox({ ca, clock: clock.now }),
    startCdnSandbox({ ca, clock: clock.now }),
    startYeastarSandbox({ ca, clock: clock.now }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), "certrelay-pipeline-"));
  const store = new FileStore({ dir });
  await store.putCredentials("certrelay/enos", enos.credentials);
  await store.putCredentials("certrelay/cdn", cdn.credentials);
  await store.putCredentials("certrelay/pbx", yeastar.credentials);
  // 90-day certificate with 10 days left: due under the default 30-day window.
  const seeded = await ca.issue({
    commonName: "www.example.com",
    sans: ["www.example.com"],
    notBefore: new Date(WORLD_NOW.getTime() - 80 * DAY_MS),
    days: 90,
  });
  await store.putCurrent("certrelay/www", seeded);
  const config = await parseConfig(`
renewBeforeDays: 30
concurrency: 2
certificates:
  - name: www
    secret: certrelay/www
    commonName: www.example.com
    issuer: { provider: enos, endpoint: "${enos.url}", credentials: certrelay/enos, orgId: yourOrgId, assetId: yourDeviceAssetId, issueAuthority: RSA, validDays: 90 }
    targets:
      - { provider: cdn, endpoint: "${cdn.url}", credentials: certrelay/cdn, verifyHost: www.example.com, verifyAddress: "127.0.0.1:${cdn.edgePort}" }
      - { provider: yeastar, endpoint: "${yeastar.url}", credentials: certrelay/pbx, certificateType: server }
`);
  const ctx = testProviderContext(clock.now, { ca: ca.rootPem, retries: 2, poll: { intervalMs: 1, maxWaitMs: 30 } });
  return {
    ca,
    clock,
    enos,
    cdn,
    yeastar,
    store,
    config,
    seeded,
    ctx,
    deps: (overrides = {}) => ({
      store,
      providers: new StoreBackedProviders(store, ctx),
      clock: clock.now,
      logger: silentLogger,
      dryRun: false,
      ...overrides,
    }),
    stop: async () => {
      await Promise.all([enos.stop(), cdn.stop(), yeastar.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
