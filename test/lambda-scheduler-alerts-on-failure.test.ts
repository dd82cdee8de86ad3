import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchedulerHandler } from "../src/fleet/scheduler.js";
import { WebhookNotifier, type Notification } from "../src/signals/notify.js";
import {
  certificateLine,
  cdnTargetYaml,
  fleetDeps,
  roomyContext,
  seedCurrent,
  startFleetFixture,
  type FleetFixture,
} from "./support/fleet.js";
import { startIssuerFor, type IssuerFixture } from "./support/fleet-issuer.js";

describe("scheduler: a certificate that cannot be renewed raises one alert and a failure metric", () => {
  let f: FleetFixture;
  let issuer: IssuerFixture;
  let webhook: Server;
  let webhookUrl: string;
  const received: Notification[] = [];

  beforeAll(async () => {
    f = await startFleetFixture();
    issuer = await startIssuerFor(f);
    webhook = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        received.push(JSON.parse(body) as Notification);
        res.statusCode = 200;
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
    webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
  });
  afterAll(async () => {
    if (webhook) await new Promise<void>((resolve) => webhook.close(() => resolve()));
    await issuer?.stop();
    await f?.stop();
  });

  it("keeps the last good certificate, logs the failure with its code, counts it, and notifies", async () => {
    await seedCurrent(f, "certrelay/www", "www.shop.example", 3);
    await seedCurrent(f, "certrelay/mail", "mail.shop.example", 50);
    // www's CDN credentials were never seeded: the renewal must fail before anything is bought
    const yaml = [
      "certificates:",
      "  - name: www",
      "    secret: certrelay/www",
      "    issuer:",
      issuer.yaml("      "),
      "    targets:",
      cdnTargetYaml(f, "www.shop.example").replace("certrelay/cdn", "certrelay/cdn-missing"),
      "  - name: mail",
      "    secret: certrelay/mail",
      "    targets:",
      cdnTargetYaml(f, "mail.shop.example"),
    ].join("\n");
    const { deps, json } = await fleetDeps(f, {
      yaml,
      notifiers: [new WebhookNotifier(webhookUrl)],
      settings: { checkTargets: false },
    });
    const before = (await f.secrets.getCurrent("certrelay/www"))?.certificate;

    const result = await createSchedulerHandler(deps)({}, roomyContext);

    expect(result.counts).toMatchObject({ failed: 1, none: 1, renewed: 0 });
    expect(issuer.purchases()).toBe(0);
    expect((await f.secrets.getCurrent("certrelay/www"))?.certificate).toBe(before);
    const line = certificateLine(json(), "www");
    expect(line).toMatchObject({ action: "failed", result: "failed", daysLeft: 3 });
    expect(line?.errorCode).toBe("STORE_NOT_FOUND");
    expect(String(line?.error)).toContain("certrelay/cdn-missing");
    expect(json().find((l) => "RenewalsFailed" in l)).toMatchObject({ RenewalsSucceeded: 0, RenewalsFailed: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]?.subject).toBe("certrelay scheduler: 1 failed");
    expect(received[0]?.alerts.map((a) => [a.certificate, a.reason, a.daysLeft])).toEqual([["www", "failed", 3]]);
  });
});
