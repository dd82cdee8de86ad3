import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { challengeRecord } from "../src/dns/index.js";
import { HttpreqProvider } from "../src/dns/httpreq.js";
import { silentLogger } from "../src/model.js";
import { startHttpreqEndpoint, type HttpreqEndpoint } from "../src/sandbox/acme/httpreq-endpoint.js";
import { startPebble, type Pebble } from "../src/sandbox/acme/pebble.js";
import { TestCA } from "../src/sandbox/ca.js";

describe("httpreq DNS-01 (lego's default mode): present and cleanup reach the DNS the CA asks", () => {
  let pebble: Pebble;
  let endpoint: HttpreqEndpoint;
  let resolver: Resolver;
  beforeAll(async () => {
    pebble = await startPebble({ ca: await TestCA.create({ name: "httpreq test" }) });
    endpoint = await startHttpreqEndpoint((fqdn, values) => pebble.setTxt(fqdn, values));
    resolver = new Resolver({ timeout: 1_000, tries: 2 });
    resolver.setServers([pebble.dnsAddress]);
  });
  afterAll(async () => {
    await endpoint?.stop();
    await pebble?.stop();
  });

  const txt = async (name: string) =>
    (await resolver.resolveTxt(name).catch(() => [] as string[][])).map((chunks) => chunks.join(""));

  it("posts {fqdn, value} to /present and /cleanup", async () => {
    const dns = new HttpreqProvider(
      { endpoint: endpoint.url },
      { clock: () => new Date(), sleep: async () => {}, logger: silentLogger },
    );
    const record = challengeRecord("api.example.org", "tok.thumb");
    await dns.present("api.example.org", "tok", "tok.thumb");
    expect(endpoint.records.get(record.fqdn)).toEqual([record.value]);
    expect(await txt("_acme-challenge.api.example.org")).toEqual([record.value]);
    await dns.cleanUp("api.example.org", "tok", "tok.thumb");
    expect(endpoint.records.size).toBe(0);
    expect(await txt("_acme-challenge.api.example.org")).toEqual([]);
    expect(dns.timeout()).toEqual({ timeoutMs: 60_000, intervalMs: 2_000 });
    await dns.close();
  });

  it("sends lego's basic auth from the credentials secret, and never shows the password when refused", async () => {
    const guarded = await startHttpreqEndpoint((fqdn, values) => pebble.setTxt(fqdn, values), {
      username: "certrelay",
      password: "s3cret-dns-hook",
    });
    try {
      const base = { clock: () => new Date(), sleep: async () => {}, logger: silentLogger };
      const allowed = new HttpreqProvider(
        { endpoint: guarded.url },
        { ...base, secrets: { httpreqUsername: "certrelay", httpreqPassword: "s3cret-dns-hook" } },
      );
      await allowed.present("auth.example.org", "t", "t.thumb");
      expect(guarded.records.size).toBe(1);
      await allowed.cleanUp("auth.example.org", "t", "t.thumb");
      await allowed.close();
      const wrong = new HttpreqProvider(
        { endpoint: guarded.url },
        { ...base, secrets: { httpreqUsername: "certrelay", httpreqPassword: "not-it" } },
      );
      const error = await wrong.present("auth.example.org", "t", "t.thumb").then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      await wrong.close();
      expect(error?.message).toMatch(/401/);
      expect(JSON.stringify(error)).not.toContain("not-it");
      expect(error?.message).not.toContain("not-it");
    } finally {
      await guarded.stop();
    }
  });
});
