import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { challengeRecord } from "../src/dns/index.js";
import { Route53Provider } from "../src/dns/route53.js";
import { silentLogger } from "../src/model.js";
import { startAcmeWorld, type AcmeWorld } from "./support/acme.js";

describe("route53 DNS-01: the TXT record is written, visible to the CA's resolver, and removed again", () => {
  let world: AcmeWorld;
  beforeAll(async () => {
    world = await startAcmeWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  const provider = () =>
    new Route53Provider(
      { pollingInterval: 1, propagationTimeout: 5 },
      { aws: world.aws, clock: () => new Date(), sleep: async () => {}, logger: silentLogger },
    );

  it("finds the zone by suffix, keeps a wildcard's and its apex's values side by side, and cleans up only its own", async () => {
    const dns = provider();
    const apex = challengeRecord("shop.example.com", "token-a.thumb");
    const wildcard = challengeRecord("*.shop.example.com", "token-b.thumb");
    expect(apex.fqdn).toBe(wildcard.fqdn);

    await dns.present("shop.example.com", "token-a", "token-a.thumb");
    await dns.present("*.shop.example.com", "token-b", "token-b.thumb");
    expect((await world.resolveTxt(apex.fqdn)).sort()).toEqual([apex.value, wildcard.value].sort());

    await dns.cleanUp("shop.example.com", "token-a", "token-a.thumb");
    expect(await world.resolveTxt(apex.fqdn)).toEqual([wildcard.value]);
    await dns.cleanUp("*.shop.example.com", "token-b", "token-b.thumb");
    expect(await world.resolveTxt(apex.fqdn)).toEqual([]);
    expect(await world.txtRecordsInZone()).toEqual([]);
    await dns.close();
  });

  it("names the fix when no hosted zone covers the domain", async () => {
    const dns = provider();
    await expect(dns.present("www.other.org", "t", "t.thumb")).rejects.toMatchObject({
      code: "VENDOR_NOT_FOUND",
      field: "dns.hostedZoneId",
    });
    await dns.close();
  });
});
