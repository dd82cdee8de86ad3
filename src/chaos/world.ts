/**
 * The chaos world: the vendor sandboxes on one manual clock and one seeded random, a FileStore in a temp dir
 * holding their credentials, and a config of `certificates` certificates, every other one bought from the
 * reseller and the rest issued by EnOS (one device each), deployed to the CDN (one host name each, verified at
 * the HTTPS edge); the first also goes to the PBX. The last
 * one lives 20 days and goes to a second PBX only (no TLS check there), so with rounds days apart it expires
 * between rounds, including while a renewal sits pending.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type CertrelayConfig } from "../config/index.js";
import { loadYaml } from "../config/yaml.js";
import { DAY_MS } from "../model.js";
import { TestCA } from "../sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../sandbox/cdn/server.js";
import { seedEnosDevices, startEnosSandbox, type EnosSandbox } from "../sandbox/enos/server.js";
import { DEFAULT_PLANS, startResellerSandbox, type ResellerSandbox } from "../sandbox/reseller/server.js";
import { ManualClock } from "../sandbox/server.js";
import { startYeastarSandbox, type YeastarSandbox } from "../sandbox/yeastar/server.js";
import { FileStore } from "../store/index.js";
import { seededRandom } from "./random.js";

/**
 * The CDN edge check is a real TLS handshake, which judges validity by the machine's clock, not the injected
 * one: every certificate issued during the run must be valid *now*. So the world's clock starts 88 days ago and
 * certificates live 90 days; the run spans at most 85 days, and certificates come due 60 days in (30 days left).
 */
export const CHAOS_VALID_DAYS = 90;
export const CHAOS_SPAN_DAYS = 85;
const START_DAYS_AGO = 88;

function chaosStart(): Date {
  return new Date(Math.floor((Date.now() - START_DAYS_AGO * DAY_MS) / 1000) * 1000);
}

export const CHAOS_SHORT_VALID_DAYS = 20;

export const CHAOS_SECRETS = {
  enos: "chaos/enos",
  cdn: "chaos/cdn",
  yeastar: "chaos/pbx",
  yeastar2: "chaos/pbx2",
  reseller: "chaos/reseller",
} as const;

export interface ChaosCertificate {
  name: string;
  secret: string;
  host: string;
  issuer: "enos" | "reseller";
  /** the EnOS device, for EnOS-issued certificates */
  assetId: string;
  /** on the CDN (verified at the edge) */
  onCdn: boolean;
  /** which PBX, if any */
  pbx?: "pbx" | "pbx2";
  validDays: number;
}

export interface ChaosWorld {
  clock: ManualClock;
  ca: TestCA;
  enos: EnosSandbox;
  cdn: CdnSandbox;
  yeastar: YeastarSandbox;
  /** the short-lived certificate's PBX */
  yeastar2: YeastarSandbox;
  reseller: ResellerSandbox;
  store: FileStore;
  /** the file store's directory: every private key must live in its own secret's file there, and nowhere else */
  storeDir: string;
  config: CertrelayConfig;
  certificates: ChaosCertificate[];
  /** every credential value in the store: none may ever appear in a log line */
  credentialValues: string[];
  stop(): Promise<void>;
}

export async function startChaosWorld(options: {
  certificates: number;
  random: () => number;
  concurrency: number;
}): Promise<ChaosWorld> {
  const start = chaosStart();
  const clock = new ManualClock(start);
  const ca = await TestCA.create({ name: "Certrelay Chaos", now: start, rootDays: 3650 });
  // One seeded stream per sandbox, drawn from the run's: two sandboxes asked at once (the registry closes every
  // vendor client concurrently) would otherwise take each other's draws in whichever order the requests arrive.
  const common = () => ({ ca, clock: clock.now, random: seededRandom(Math.floor(options.random() * 2 ** 32)) });
  const [enos, cdn, yeastar, yeastar2, reseller] = await Promise.all([
    startEnosSandbox(common()),
    startCdnSandbox(common()),
    startYeastarSandbox(common()),
    startYeastarSandbox(common()),
    startResellerSandbox(common()),
  ]);
  const stopAll = () => Promise.allSettled([enos.stop(), cdn.stop(), yeastar.stop(), yeastar2.stop(), reseller.stop()]);
  const dir = mkdtempSync(join(tmpdir(), "certrelay-chaos-"));
  try {
    const store = new FileStore({ dir });
    await store.putCredentials(CHAOS_SECRETS.enos, enos.credentials);
    await store.putCredentials(CHAOS_SECRETS.cdn, cdn.credentials);
    await store.putCredentials(CHAOS_SECRETS.yeastar, yeastar.credentials);
    await store.putCredentials(CHAOS_SECRETS.yeastar2, yeastar2.credentials);
    await store.putCredentials(CHAOS_SECRETS.reseller, { ...reseller.credentials });
    const assetIds = seedEnosDevices(enos, options.certificates, { prefix: "chaos", maxValidDay: 3650 });
    const short = options.certificates - 1;
    const certificates: ChaosCertificate[] = assetIds.map((assetId, i) => ({
      name: i === short && short > 0 ? "short" : `c-${i}`,
      secret: i === short && short > 0 ? "chaos/short" : `chaos/c-${i}`,
      host: `c-${i}.chaos.example`,
      issuer: i % 2 === 1 && i !== short ? ("reseller" as const) : ("enos" as const),
      assetId,
      onCdn: !(i === short && short > 0),
      // a PBX holds at most 3 server certificates: one managed certificate per PBX
      ...(i === 0 ? { pbx: "pbx" as const } : i === short && short > 0 ? { pbx: "pbx2" as const } : {}),
      validDays: i === short && short > 0 ? CHAOS_SHORT_VALID_DAYS : CHAOS_VALID_DAYS,
    }));
    const document = {
      renewBeforeDays: 30,
      concurrency: options.concurrency,
      certificates: certificates.map((c) => ({
        name: c.name,
        secret: c.secret,
        commonName: c.host,
        sans: [c.host],
        issuer:
          c.issuer === "reseller"
            ? {
                provider: "reseller",
                endpoint: reseller.url,
                credentials: CHAOS_SECRETS.reseller,
                plan: DEFAULT_PLANS[0]?.id,
                dcvType: "DNS",
              }
            : {
                provider: "enos",
                endpoint: enos.url,
                credentials: CHAOS_SECRETS.enos,
                orgId: enos.orgId,
                assetId: c.assetId,
                validDays: c.validDays,
                issueAuthority: "RSA",
              },
        targets: [
          ...(c.onCdn
            ? [
                {
                  provider: "cdn",
                  endpoint: cdn.url,
                  credentials: CHAOS_SECRETS.cdn,
                  verifyHost: c.host,
                  verifyAddress: `127.0.0.1:${cdn.edgePort}`,
                  serviceId: "chaos",
                },
              ]
            : []),
          ...(c.pbx === "pbx"
            ? [
                {
                  provider: "yeastar",
                  endpoint: yeastar.url,
                  credentials: CHAOS_SECRETS.yeastar,
                  certificateType: "server",
                  pruneOld: true,
                },
              ]
            : []),
          ...(c.pbx === "pbx2"
            ? [
                {
                  provider: "yeastar",
                  endpoint: yeastar2.url,
                  credentials: CHAOS_SECRETS.yeastar2,
                  certificateType: "server",
                  pruneOld: true,
                },
              ]
            : []),
        ],
      })),
    };
    const config = await parseConfig((await loadYaml()).stringify(document), "chaos world");
    const credentialValues = [
      ...[enos, cdn, yeastar, yeastar2, reseller].flatMap((sandbox): string[] => Object.values(sandbox.credentials)),
      // the reseller's basic-auth header value
      Buffer.from(`${reseller.credentials.username}:${reseller.credentials.apiKey}`).toString("base64"),
    ];
    return {
      clock,
      ca,
      enos,
      cdn,
      yeastar,
      yeastar2,
      reseller,
      store,
      storeDir: dir,
      config,
      certificates,
      credentialValues,
      stop: async () => {
        await stopAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
