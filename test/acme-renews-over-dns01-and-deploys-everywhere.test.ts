import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../src/model.js";
import { runPipeline } from "../src/pipeline/index.js";
import { probeEdge } from "../src/providers/cdn/edge-probe.js";
import { createTarget } from "../src/providers/registry.js";
import type { PendingRenewal } from "../src/store/index.js";
import { certFacts } from "../src/x509/index.js";
import { startAcmePipelineWorld, type AcmePipelineWorld } from "./support/acme.js";

function capturingLogger(lines: string[]): Logger {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

describe("acme issuer: a due certificate renewed from Pebble over DNS-01 via Route53, deployed to the CDN and the PBX", () => {
  let world: AcmePipelineWorld;
  beforeAll(async () => {
    world = await startAcmePipelineWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("orders, stores the result as pending, deploys, verifies over TLS, promotes, and leaves no TXT record behind", async () => {
    const oldSerial = certFacts(world.seeded.certificate).serial;
    const logs: string[] = [];
    let pendingAtIssue: PendingRenewal | undefined;
    const summary = await runPipeline(
      await world.config(),
      world.deps({
        logger: capturingLogger(logs),
        checkpoint: async (stage) => {
          if (stage === "issued") pendingAtIssue = await world.store.getPending("certrelay/www");
        },
      }),
    );

    const report = summary.reports[0];
    expect(report, JSON.stringify(report)).toMatchObject({ action: "renewed", previousSerial: oldSerial });
    expect(report?.targets.map((t) => t.status)).toEqual(["deployed", "deployed"]);
    // pending held the order URL and the issued certificate before any target was touched
    expect(pendingAtIssue?.orderId).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(pendingAtIssue?.certificate).toBeDefined();
    expect(pendingAtIssue?.deployedTo).toEqual([]);

    const current = (await world.store.getCurrent("certrelay/www"))!;
    const leaf = new X509Certificate(current.certificate);
    expect(certFacts(current.certificate).serial).toBe(report?.serial);
    expect(leaf.subjectAltName).toContain("DNS:www.example.com");
    expect(await world.store.getPending("certrelay/www")).toBeUndefined();

    // the CDN edge serves it, and its chain verifies up to Pebble's issuing root
    const served = await probeEdge({
      address: `127.0.0.1:${world.cdn.edgePort}`,
      serverName: "www.example.com",
      ca: world.acme.pebble.issuingRootPem,
      timeoutMs: 5_000,
    });
    expect(served).toMatchObject({ serial: report?.serial, trusted: true });
    const pbx = createTarget((await world.config()).certificates[0]!.targets[1]!, world.yeastar.credentials, world.ctx);
    const held: string[] = [];
    for await (const c of pbx.list()) held.push(c.serial);
    await pbx.close();
    expect(held).toContain(report?.serial);

    // the challenge records are gone from Route53 and from the DNS the CA asked
    expect(await world.acme.txtRecordsInZone()).toEqual([]);
    expect(await world.acme.resolveTxt("_acme-challenge.www.example.com")).toEqual([]);
    expect(world.acme.bridge.changes).toBe(2);

    // one account, registered once, its key kept in the credentials secret and never logged
    expect(world.responder.accountsCreated).toBe(1);
    const account = await world.store.getCredentials("certrelay/acme");
    expect(account.accountKey).toContain("PRIVATE KEY");
    expect(account.accountUrl).toMatch(/^https:\/\//);
    expect(logs.join("\n")).not.toContain(account.accountKey!.split("\n")[1]!);
    expect(logs.join("\n")).not.toContain("PRIVATE KEY");
  });

  it("reuses the stored account key on the next run: Pebble still has one account, and newAccount is not called again", async () => {
    const before = world.responder.newAccountRequests;
    const stored = await world.store.getCredentials("certrelay/acme");
    const summary = await runPipeline(await world.config(), world.deps({ force: true }));
    expect(await world.store.getCredentials("certrelay/acme")).toEqual(stored);
    expect(summary.reports[0]?.action).toBe("renewed");
    expect(world.responder.orders).toHaveLength(2);
    expect(world.responder.newAccountRequests).toBe(before);
    expect(world.responder.accountsCreated).toBe(1);
  });
});
