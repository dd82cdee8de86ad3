/**
 * The ACME world for tests: Pebble + pebble-challtestsrv (the CA and the DNS it asks), moto as Route53 behind the
 * bridge that copies TXT records into challtestsrv, and a public hosted zone for example.com. Start once per file,
 * stop in afterAll.
 */
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { Resolver } from "node:dns/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type CertrelayConfig } from "../../src/config/index.js";
import { DAY_MS, realSleep, silentLogger, systemClock, type CertificateMaterial } from "../../src/model.js";
import type { PipelineDeps } from "../../src/pipeline/index.js";
import type { ProviderContext } from "../../src/providers/context.js";
import { StoreBackedProviders } from "../../src/providers/registry.js";
import { startDnsBridge, type DnsBridge } from "../../src/sandbox/acme/dns-bridge.js";
import { startPebble, type Pebble } from "../../src/sandbox/acme/pebble.js";
import { startAcmeResponder, type AcmeResponder } from "../../src/sandbox/acme/responder.js";
import { TestCA } from "../../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../../src/sandbox/cdn/server.js";
import { startYeastarSandbox, type YeastarSandbox } from "../../src/sandbox/yeastar/server.js";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { FileStore, SecretsManagerStore } from "../../src/store/index.js";
import { awsClientConfig, startMoto, type AwsTestClientConfig, type MotoServer } from "./moto.js";

export const ZONE = "example.com";

export interface AcmeWorld {
  pebble: Pebble;
  moto: MotoServer;
  bridge: DnsBridge;
  /** Route53 client options for certrelay (through the bridge) */
  aws: AwsTestClientConfig;
  route53: Route53Client;
  zoneId: string;
  /** TXT values challtestsrv answers for a name (what Pebble's validator sees) */
  resolveTxt(fqdn: string): Promise<string[]>;
  /** every TXT record set left in the hosted zone */
  txtRecordsInZone(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startAcmeWorld(options: { eab?: Record<string, string>; ca?: TestCA } = {}): Promise<AcmeWorld> {
  const listenerCa = options.ca ?? (await TestCA.create({ name: "Pebble listener" }));
  const started: { stop(): Promise<void> }[] = [];
  try {
    const moto = await startMoto();
    started.push(moto);
    const pebble = await startPebble({ ca: listenerCa, ...(options.eab ? { eab: options.eab } : {}) });
    started.push(pebble);
    const bridge = await startDnsBridge({
      motoEndpoint: moto.endpoint,
      setTxt: (host, values) => pebble.setTxt(host, values),
    });
    started.push(bridge);
    const route53 = new Route53Client(awsClientConfig(moto.endpoint));
    const zone = await route53.send(
      new CreateHostedZoneCommand({ Name: ZONE, CallerReference: `certrelay-${Date.now()}` }),
    );
    const zoneId = (zone.HostedZone?.Id ?? "").replace(/^\/hostedzone\//, "");
    const resolver = new Resolver({ timeout: 1_000, tries: 2 });
    resolver.setServers([pebble.dnsAddress]);
    return {
      pebble,
      moto,
      bridge,
      aws: awsClientConfig(bridge.endpoint),
      route53,
      zoneId,
      async resolveTxt(fqdn: string) {
        try {
          return (await resolver.resolveTxt(fqdn.replace(/\.$/, ""))).map((chunks) => chunks.join(""));
        } catch (error) {
          if (
            (error as NodeJS.ErrnoException).code === "ENOTFOUND" ||
            (error as NodeJS.ErrnoException).code === "ENODATA"
          )
            return [];
          throw error;
        }
      },
      async txtRecordsInZone() {
        const sets = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
        return (sets.ResourceRecordSets ?? []).filter((s) => s.Type === "TXT").map((s) => s.Name ?? "");
      },
      async stop() {
        route53.destroy();
        await Promise.allSettled(started.reverse().map((s) => s.stop()));
      },
    };
  } catch (error) {
    await Promise.allSettled(started.reverse().map((s) => s.stop()));
    throw error;
  }
}

/**
 * The whole renewal path against real parts: the ACME world above behind the ARI/profile responder, the CDN and
 * Yeastar sandboxes as targets, a FileStore holding a due certificate, and a certrelay.yml with an acme issuer.
 * Time is real (Pebble signs with the wall clock), so the clock is the system's.
 */
export interface AcmePipelineWorld {
  acme: AcmeWorld;
  responder: AcmeResponder;
  ca: TestCA;
  cdn: CdnSandbox;
  yeastar: YeastarSandbox;
  store: FileStore | SecretsManagerStore;
  seeded: CertificateMaterial;
  ctx: ProviderContext;
  config(issuerExtra?: string): Promise<CertrelayConfig>;
  deps(overrides?: Partial<PipelineDeps>): PipelineDeps;
  stop(): Promise<void>;
}

/** `secrets-manager`: the store is AWS Secrets Manager on the same moto that plays Route53, as the Lambda runs it. */
export async function startAcmePipelineWorld(
  options: { store?: "file" | "secrets-manager" } = {},
): Promise<AcmePipelineWorld> {
  const ca = await TestCA.create({ name: "ACME Pipeline Test" });
  const acme = await startAcmeWorld({ ca });
  const stops: { stop(): Promise<void> }[] = [acme];
  try {
    const responder = await startAcmeResponder({ pebbleAddress: acme.pebble.acmeAddress, ca });
    stops.push(responder);
    const cdn = await startCdnSandbox({ ca, clock: systemClock });
    stops.push(cdn);
    const yeastar = await startYeastarSandbox({ ca, clock: systemClock });
    stops.push(yeastar);
    const dir = mkdtempSync(join(tmpdir(), "certrelay-acme-"));
    stops.push({ stop: async () => rmSync(dir, { recursive: true, force: true }) });
    const store =
      options.store === "secrets-manager"
        ? new SecretsManagerStore(new SecretsManagerClient(awsClientConfig(acme.moto.endpoint)))
        : new FileStore({ dir });
    await store.putCredentials("certrelay/cdn", cdn.credentials);
    await store.putCredentials("certrelay/pbx", yeastar.credentials);
    await store.putCredentials("certrelay/acme", {});
    const now = systemClock();
    // a 90-day certificate with 10 days left: due under the 30-day rule
    const seeded = await ca.issue({
      commonName: "www.example.com",
      sans: ["www.example.com"],
      notBefore: new Date(now.getTime() - 80 * DAY_MS),
      days: 90,
    });
    await store.putCurrent("certrelay/www", seeded);
    const ctx: ProviderContext = {
      clock: systemClock,
      sleep: realSleep,
      logger: silentLogger,
      // the sandboxes' CA, plus Pebble's issuing root for checking what the CDN edge serves (Let's Encrypt's roots
      // are in every trust store; Pebble's is new at each start)
      ca: ca.rootPem + acme.pebble.issuingRootPem,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 },
      timeoutMs: 10_000,
      // Pebble validates and signs asynchronously; real short sleeps keep the polls few under load
      poll: { intervalMs: 25, maxWaitMs: 20_000 },
      aws: acme.aws,
    };
    const config = (issuerExtra = "") =>
      parseConfig(`
renewBeforeDays: 30
certificates:
  - name: www
    secret: certrelay/www
    commonName: www.example.com
    issuer: { provider: acme, directory: "${responder.directoryUrl}", credentials: certrelay/acme, email: ops@example.com, acceptTos: true, keyType: rsa2048, dns: { provider: route53, pollingInterval: 1, propagationTimeout: 10 }${issuerExtra} }
    targets:
      - { provider: cdn, endpoint: "${cdn.url}", credentials: certrelay/cdn, verifyHost: www.example.com, verifyAddress: "127.0.0.1:${cdn.edgePort}" }
      - { provider: yeastar, endpoint: "${yeastar.url}", credentials: certrelay/pbx, certificateType: server }
`);
    return {
      acme,
      responder,
      ca,
      cdn,
      yeastar,
      store,
      seeded,
      ctx,
      config,
      deps: (overrides = {}) => ({
        store,
        providers: new StoreBackedProviders(store, ctx),
        clock: systemClock,
        logger: silentLogger,
        dryRun: false,
        ...overrides,
      }),
      stop: async () => {
        await Promise.allSettled(stops.reverse().map((s) => s.stop()));
      },
    };
  } catch (error) {
    await Promise.allSettled(stops.reverse().map((s) => s.stop()));
    throw error;
  }
}
