/**
 * The chaos world: the vendor sandboxes on one manual clock and one seeded random, a FileStore in a temp dir
 * holding their credentials, and a config of `certificates` certificates issued by EnOS (one device each) and
 * deployed to the CDN (one host name each, verified at the HTTPS edge); the first also goes to the PBX.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { parseConfig, type CertrelayConfig } from "../config/index.js";
import { DAY_MS } from "../model.js";
import { TestCA } from "../sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../sandbox/cdn/server.js";
import { seedEnosDevices, startEnosSandbox, type EnosSandbox } from "../sandbox/enos/server.js";
import { ManualClock } from "../sandbox/server.js";
import { startYeastarSandbox, type YeastarSandbox } from "../sandbox/yeastar/server.js";
import { FileStore } from "../store/index.js";

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

export const CHAOS_SECRETS = { enos: "chaos/enos", cdn: "chaos/cdn", yeastar: "chaos/pbx" } as const;

export interface ChaosCertificate {
  name: string;
  secret: string;
  host: string;
  assetId: string;
  onPbx: boolean;
}

export interface ChaosWorld {
  clock: ManualClock;
  ca: TestCA;
  enos: EnosSandbox;
  cdn: CdnSandbox;
  yeastar: YeastarSandbox;
  store: FileStore;
  config: CertrelayConfig;
  certificates: ChaosCertificate[];
  /** every credential value in the store: none may ever appear in a log line */
  credentialValues: string[];
  stop(): Promise<void>;
}

export async function startChaosWorld(options: { certificates: number; random: () => number; concurrency: number }): Promise<ChaosWorld> {
  const start = chaosStart();
  const clock = new ManualClock(start);
  const ca = await TestCA.create({ name: "Certrelay Chaos", now: start, rootDays: 3650 });
  const common = { ca, clock: clock.now, random: options.random };
  const [enos, cdn, yeastar] = await Promise.all([startEnosSandbox(common), startCdnSandbox(common), startYeastarSandbox(common)]);
  const dir = mkdtempSync(join(tmpdir(), "certrelay-chaos-"));
  try {
    const store = new FileStore({ dir });
    await store.putCredentials(CHAOS_SECRETS.enos, enos.credentials);
    await store.putCredentials(CHAOS_SECRETS.cdn, cdn.credentials);
    await store.putCredentials(CHAOS_SECRETS.yeastar, yeastar.credentials);
    const assetIds = seedEnosDevices(enos, options.certificates, { prefix: "chaos", maxValidDay: 3650 });
    const certificates: ChaosCertificate[] = assetIds.map((assetId, i) => ({
      name: `c-${i}`,
      secret: `chaos/c-${i}`,
      host: `c-${i}.chaos.example`,
      assetId,
      // the PBX holds at most 3 server certificates: one managed certificate lives there
      onPbx: i === 0,
    }));
    const document = {
      renewBeforeDays: 30,
      concurrency: options.concurrency,
      certificates: certificates.map((c) => ({
        name: c.name,
        secret: c.secret,
        commonName: c.host,
        sans: [c.host],
        issuer: { provider: "enos", endpoint: enos.url, credentials: CHAOS_SECRETS.enos, orgId: enos.orgId, assetId: c.assetId, validDays: CHAOS_VALID_DAYS, issueAuthority: "RSA" },
        targets: [
          { provider: "cdn", endpoint: cdn.url, credentials: CHAOS_SECRETS.cdn, verifyHost: c.host, verifyAddress: `127.0.0.1:${cdn.edgePort}`, serviceId: "chaos" },
          ...(c.onPbx ? [{ provider: "yeastar", endpoint: yeastar.url, credentials: CHAOS_SECRETS.yeastar, certificateType: "server", pruneOld: true }] : []),
        ],
      })),
    };
    const config = parseConfig(stringify(document), "chaos world");
    const credentialValues = [...Object.values(enos.credentials), ...Object.values(cdn.credentials), ...Object.values(yeastar.credentials)];
    return {
      clock,
      ca,
      enos,
      cdn,
      yeastar,
      store,
      config,
      certificates,
      credentialValues,
      stop: async () => {
        await Promise.allSettled([enos.stop(), cdn.stop(), yeastar.stop()]);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.allSettled([enos.stop(), cdn.stop(), yeastar.stop()]);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
