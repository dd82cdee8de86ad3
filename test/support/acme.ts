/**
 * The ACME world for tests: Pebble + pebble-challtestsrv (the CA and the DNS it asks), moto as Route53 behind the
 * bridge that copies TXT records into challtestsrv, and a public hosted zone for example.com. Start once per file,
 * stop in afterAll.
 */
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { Resolver } from "node:dns/promises";
import { TestCA } from "../../src/sandbox/ca.js";
import { startDnsBridge, type DnsBridge } from "../../src/sandbox/acme/dns-bridge.js";
import { startPebble, type Pebble } from "../../src/sandbox/acme/pebble.js";
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

export async function startAcmeWorld(options: { eab?: Record<string, string> } = {}): Promise<AcmeWorld> {
  const listenerCa = await TestCA.create({ name: "Pebble listener" });
  const started: { stop(): Promise<void> }[] = [];
  try {
    const moto = await startMoto();
    started.push(moto);
    const pebble = await startPebble({ ca: listenerCa, ...(options.eab ? { eab: options.eab } : {}) });
    started.push(pebble);
    const bridge = await startDnsBridge({ motoEndpoint: moto.endpoint, setTxt: (host, values) => pebble.setTxt(host, values) });
    started.push(bridge);
    const route53 = new Route53Client(awsClientConfig(moto.endpoint));
    const zone = await route53.send(new CreateHostedZoneCommand({ Name: ZONE, CallerReference: `certrelay-${Date.now()}` }));
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
          if ((error as NodeJS.ErrnoException).code === "ENOTFOUND" || (error as NodeJS.ErrnoException).code === "ENODATA") return [];
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
