/**
 * The pipeline's test world without HTTP: a TestCA, a manual clock, a FileStore in a temp dir holding a due
 * certificate, a FakeIssuer and two FakeTargets, and a config whose one certificate uses them. Sandbox-backed
 * worlds (test/support/pipeline-world.ts, acme.ts) stay for the end-to-end tests that prove vendor behaviour.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type CertrelayConfig } from "../../src/config/index.js";
import { DAY_MS, silentLogger, type CertificateMaterial } from "../../src/model.js";
import type { PipelineDeps } from "../../src/pipeline/index.js";
import { TestCA } from "../../src/sandbox/ca.js";
import { ManualClock } from "../../src/sandbox/server.js";
import { FileStore } from "../../src/store/index.js";
import { FakeIssuer, type FakeIssuerOptions } from "./issuer.js";
import { FakeProviders } from "./providers.js";
import { FakeTarget } from "./target.js";

export { FakeIssuer, type FakeIssuerOptions, type FakeOrder } from "./issuer.js";
export { FakeProviders, type FakeWiring } from "./providers.js";
export { FakeTarget, type FakeTargetOptions } from "./target.js";

export const FAKE_NOW = new Date("2026-11-24T12:00:00Z");

/**
 * A certrelay.yml for certificates that run on fakes: the entries only have to parse (FakeProviders ignores them),
 * so they name built-in providers at endpoints that never resolve.
 */
export async function fakeConfig(
  names: string[],
  options: { renewBeforeDays?: number } = {},
): Promise<CertrelayConfig> {
  const certificates = names.map((name) =>
    [
      `  - name: ${name}`,
      `    secret: certrelay/${name}`,
      `    commonName: ${name}.example.com`,
      "    issuer: { provider: reseller, endpoint: https://issuer.fake.invalid, credentials: fake/issuer, dcvType: DNS }",
      "    targets:",
      "      - { provider: cdn, endpoint: https://first.fake.invalid, credentials: fake/first }",
      "      - { provider: cdn, endpoint: https://second.fake.invalid, credentials: fake/second }",
    ].join("\n"),
  );
  return parseConfig(
    [`renewBeforeDays: ${options.renewBeforeDays ?? 30}`, "certificates:", ...certificates].join("\n"),
    "fake world",
  );
}

export interface FakeWorld {
  ca: TestCA;
  clock: ManualClock;
  store: FileStore;
  issuer: FakeIssuer;
  /** [first, second], in config order */
  targets: [FakeTarget, FakeTarget];
  providers: FakeProviders;
  config: CertrelayConfig;
  /** the current certificate of `www`, seeded with `daysLeft` of 90 days left */
  seeded: CertificateMaterial;
  deps(overrides?: Partial<PipelineDeps>): PipelineDeps;
  /** a current certificate for `name` (`www` is seeded already) with this many days left */
  seed(name: string, daysLeft: number): Promise<CertificateMaterial>;
  stop(): Promise<void>;
}

export async function startFakeWorld(
  options: { issuer?: FakeIssuerOptions; daysLeft?: number; names?: string[] } = {},
): Promise<FakeWorld> {
  const clock = new ManualClock(FAKE_NOW);
  const ca = await TestCA.create({ name: "Fake World", now: FAKE_NOW });
  const dir = mkdtempSync(join(tmpdir(), "certrelay-fakes-"));
  const store = new FileStore({ dir });
  const issuer = new FakeIssuer(ca, { clock: clock.now, ...options.issuer });
  const targets: [FakeTarget, FakeTarget] = [
    new FakeTarget({ name: "first", clock: clock.now }),
    new FakeTarget({ name: "second", clock: clock.now }),
  ];
  const providers = new FakeProviders({ issuer, targets });
  const seed = async (name: string, daysLeft: number) => {
    const host = `${name}.example.com`;
    const material = await ca.issue({
      commonName: host,
      sans: [host],
      notBefore: new Date(clock.now().getTime() - (90 - daysLeft) * DAY_MS),
      days: 90,
    });
    await store.putCurrent(`certrelay/${name}`, material);
    return material;
  };
  // 10 days left of 90: due under the 30-day window
  const seeded = await seed("www", options.daysLeft ?? 10);
  return {
    ca,
    clock,
    store,
    issuer,
    targets,
    providers,
    config: await fakeConfig(options.names ?? ["www"]),
    seeded,
    seed,
    deps: (overrides = {}) => ({
      store,
      providers,
      clock: clock.now,
      logger: silentLogger,
      dryRun: false,
      ...overrides,
    }),
    stop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
