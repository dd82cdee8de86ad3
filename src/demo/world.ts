/**
 * A small, real certrelay installation on loopback: the four vendor sandboxes, a file store holding their demo
 * credentials, and four managed certificates whose current versions were issued in the past (real notBefore
 * dates) and already sit on their targets. Three are due, one is not. `npm start`, the CLI tests and the bench
 * start from here.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  loadConfig,
  type BuiltInManagedCertificate,
  type CertrelayConfig,
  type ManagedCertificate,
  type TargetConfig,
} from "../config/index.js";
import { loadYaml } from "../config/yaml.js";
import {
  DAY_MS,
  realSleep,
  silentLogger,
  systemClock,
  type CertificateMaterial,
  type Clock,
  type Logger,
} from "../model.js";
import type { ProviderContext } from "../providers/context.js";
import { createTarget } from "../providers/registry.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { DEFAULT_PLANS } from "../sandbox/reseller/server.js";
import { FileStore } from "../store/index.js";
import { certFacts, generateKeyAndCsr, inspectCsr } from "../x509/index.js";

export interface DemoWorldOptions {
  /** where certrelay.yml, the store and ca.pem go (the directory is created) */
  dir: string;
  clock?: Clock;
  logger?: Logger;
}

export interface DemoWorld {
  dir: string;
  config: CertrelayConfig;
  configPath: string;
  storeDir: string;
  /** the sandbox CA chain (PEM) as a file, for `--ca-file` */
  caPath: string;
  store: FileStore;
  sandbox: Sandbox;
  /** a provider context that trusts the sandbox CA and polls quickly */
  ctx: ProviderContext;
  stop(): Promise<void>;
}

/** Secret ids in the store. Credentials are the sandbox's fixed demo values. */
export const DEMO_SECRETS = {
  yeastar: "demo/yeastar",
  enos: "demo/enos",
  cdn: "demo/cdn",
  reseller: "demo/reseller",
} as const;

/** The domain-validated plan from the reseller sandbox's plan list (the spec's sample plan). */
export const DEMO_PLAN =
  (DEFAULT_PLANS.find((plan) => plan.validation === "DV") ?? DEFAULT_PLANS[0])?.id ??
  "3f7830c3-3fa4-404d-908f-35daaa1cd17b";

export const DEMO_DEVICE = { productKey: "demoMeter", assetId: "device-42", certSN: "32000" } as const;

interface Seed {
  cert: BuiltInManagedCertificate;
  /** lifetime and days left of the current certificate */
  lifetimeDays: number;
  daysLeft: number;
}

export function demoProviderContext(sandbox: Sandbox, clock: Clock, logger: Logger = silentLogger): ProviderContext {
  return {
    clock,
    sleep: realSleep,
    logger,
    ca: sandbox.ca.chainPem,
    retry: { retries: 2, minDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 200 },
    timeoutMs: 5_000,
    // the sandboxes finish asynchronous work in a few polls; short intervals keep the demo to seconds
    poll: { intervalMs: 20, maxWaitMs: 5_000 },
  };
}

function demoCertificates(sandbox: Sandbox, plan: string): Seed[] {
  const reseller = {
    provider: "reseller" as const,
    endpoint: sandbox.urls.reseller,
    credentials: DEMO_SECRETS.reseller,
    plan,
    dcvType: "DNS" as const,
  };
  const cdn = (host: string): TargetConfig => ({
    provider: "cdn",
    endpoint: sandbox.urls.cdn,
    credentials: DEMO_SECRETS.cdn,
    verifyHost: host,
    verifyAddress: sandbox.urls.edge,
    serviceId: "demo-service",
  });
  const enos = {
    provider: "enos" as const,
    endpoint: sandbox.urls.enos,
    credentials: DEMO_SECRETS.enos,
    orgId: sandbox.enos.orgId,
    assetId: DEMO_DEVICE.assetId,
  };
  return [
    {
      // a classic 90-day web certificate, 10 days left: due (renewBeforeDays 30)
      cert: {
        name: "www",
        secret: "demo/www",
        commonName: "www.example.com",
        sans: ["www.example.com"],
        issuer: reseller,
        targets: [
          cdn("www.example.com"),
          {
            provider: "yeastar",
            endpoint: sandbox.urls.yeastar,
            credentials: DEMO_SECRETS.yeastar,
            certificateType: "server",
            pruneOld: true,
          },
        ],
      },
      lifetimeDays: 90,
      daysLeft: 10,
    },
    {
      // a 47-day certificate (the 2029 CA/B maximum), 12 days left: due by the lifetime third (15.7 days)
      cert: {
        name: "api",
        secret: "demo/api",
        commonName: "api.example.com",
        sans: ["api.example.com"],
        issuer: reseller,
        targets: [cdn("api.example.com")],
      },
      lifetimeDays: 47,
      daysLeft: 12,
    },
    {
      // an IoT device certificate EnOS issues for 6 days at a time, 1 day left: due
      cert: {
        name: "device-42",
        secret: "demo/device-42",
        commonName: "device-42",
        keyType: "ecc",
        issuer: { ...enos, validDays: 6, issueAuthority: "ECC" },
        targets: [enos],
      },
      lifetimeDays: 6,
      daysLeft: 1,
    },
    {
      // plenty of time left: certrelay only confirms the target still serves it
      cert: {
        name: "static",
        secret: "demo/static",
        commonName: "static.example.com",
        sans: ["static.example.com"],
        issuer: reseller,
        targets: [cdn("static.example.com")],
      },
      lifetimeDays: 90,
      daysLeft: 60,
    },
  ];
}

/** The device certificate EnOS would have issued 5 days ago, recorded in the sandbox as bound to the device. */
async function seedDeviceCertificate(
  sandbox: Sandbox,
  cert: ManagedCertificate,
  notBefore: Date,
  notAfter: Date,
): Promise<CertificateMaterial> {
  sandbox.enos.addProduct({ productKey: DEMO_DEVICE.productKey, maxValidDay: 30, biDirectional: true });
  sandbox.enos.addDevice({
    assetId: DEMO_DEVICE.assetId,
    productKey: DEMO_DEVICE.productKey,
    deviceKey: DEMO_DEVICE.assetId,
  });
  const { privateKey, csr } = await generateKeyAndCsr({ keyType: "ecc", commonName: cert.commonName ?? cert.name });
  const signed = await sandbox.ca.signCsr(csr, {
    notBefore,
    notAfter,
    serial: BigInt(DEMO_DEVICE.certSN).toString(16),
  });
  const facts = certFacts(signed.certificate);
  sandbox.enos.registry.addCert({
    certSN: DEMO_DEVICE.certSN,
    assetId: DEMO_DEVICE.assetId,
    cert: signed.certificate,
    csr,
    publicKeyPem: (await inspectCsr(csr)).publicKeyPem,
    issueAuthority: "ECC",
    subject: facts.subject,
    issuer: facts.issuer,
    signDate: notBefore.getTime(),
    effectiveDate: facts.notBefore.getTime(),
    expireDate: facts.notAfter.getTime(),
  });
  return { certificate: signed.certificate, chain: signed.chain, privateKey };
}

async function seedCurrent(
  world: { sandbox: Sandbox; store: FileStore; ctx: ProviderContext },
  seed: Seed,
  now: Date,
): Promise<void> {
  const { cert } = seed;
  // whole seconds, as X.509 stores them, so days-left arithmetic matches what a target reports
  const notAfter = new Date(Math.floor((now.getTime() + seed.daysLeft * DAY_MS) / 1000) * 1000 + 3_600_000);
  const notBefore = new Date(notAfter.getTime() - seed.lifetimeDays * DAY_MS);
  const material =
    cert.issuer?.provider === "enos"
      ? await seedDeviceCertificate(world.sandbox, cert, notBefore, notAfter)
      : await world.sandbox.ca.issue({
          commonName: cert.commonName ?? cert.name,
          sans: cert.sans ?? [],
          keyType: cert.keyType ?? "rsa",
          notBefore,
          notAfter,
        });
  await world.store.putCurrent(cert.secret, material);
  for (const targetConfig of cert.targets) {
    if (targetConfig.provider === "enos") continue; // bound to the device when EnOS issued it
    const credentials = await world.store.getCredentials(targetConfig.credentials);
    const target = createTarget(targetConfig, credentials, world.ctx);
    try {
      await target.deploy(material);
    } finally {
      await target.close();
    }
  }
}

export async function createDemoWorld(options: DemoWorldOptions): Promise<DemoWorld> {
  const clock = options.clock ?? systemClock;
  const sandbox = await startSandbox({ clock });
  try {
    await mkdir(options.dir, { recursive: true });
    const storeDir = join(options.dir, "store");
    const store = new FileStore({ dir: storeDir });
    await store.putCredentials(DEMO_SECRETS.yeastar, sandbox.credentials.yeastar);
    await store.putCredentials(DEMO_SECRETS.enos, sandbox.credentials.enos);
    await store.putCredentials(DEMO_SECRETS.cdn, sandbox.credentials.cdn);
    await store.putCredentials(DEMO_SECRETS.reseller, sandbox.credentials.reseller);
    const ctx = demoProviderContext(sandbox, clock, options.logger);

    const seeds = demoCertificates(sandbox, DEMO_PLAN);
    const now = clock();
    // sequential: the PBX and the CDN are seeded in a stable order, so ids in the "before" table are stable
    for (const seed of seeds) await seedCurrent({ sandbox, store, ctx }, seed, now);

    const configPath = join(options.dir, "certrelay.yml");
    const caPath = join(options.dir, "ca.pem");
    const { stringify } = await loadYaml();
    const document = { renewBeforeDays: 30, concurrency: 4, certificates: seeds.map((s) => s.cert) };
    await writeFile(
      configPath,
      `# written by the certrelay demo: sandboxes on 127.0.0.1, credentials in ${storeDir}\n${stringify(document)}`,
    );
    await writeFile(caPath, sandbox.ca.chainPem);
    const config = await loadConfig(configPath);
    return { dir: options.dir, config, configPath, storeDir, caPath, store, sandbox, ctx, stop: () => sandbox.stop() };
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
}
