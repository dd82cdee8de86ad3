import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { SQSClient, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateOutcome } from "../src/signals/log.js";
import {
  alertsFor,
  notificationFor,
  notifyAll,
  SnsNotifier,
  WebhookNotifier,
  type Notification,
} from "../src/signals/notify.js";
import { createQueue, receiveAll } from "./support/sqs.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";

const outcomes: CertificateOutcome[] = [
  { name: "www", action: "renewed", daysLeft: 89, durationMs: 10 },
  {
    name: "api",
    action: "failed",
    daysLeft: 20,
    durationMs: 10,
    error: { code: "VENDOR_QUOTA", message: "no certificate slots left" },
  },
  { name: "pbx", action: "pending", daysLeft: 3, durationMs: 10, detail: "order 77 is pending" },
  { name: "mail", action: "none", daysLeft: 40, durationMs: 10 },
  { name: "old", action: "none", daysLeft: 2, durationMs: 10, detail: "due for renewal but no issuer is configured" },
];

describe("notifications on failure and on certificates close to expiry", () => {
  let moto: MotoServer;
  let webhook: Server;
  let webhookUrl: string;
  const received: { path: string; body: unknown }[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    webhook = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        received.push({ path: req.url ?? "", body: JSON.parse(body) as unknown });
        res.statusCode = req.url?.includes("broken") ? 500 : 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
    webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks/T0KEN-in-path`;
  });
  afterAll(async () => {
    if (webhook) await new Promise<void>((resolve) => webhook.close(() => resolve()));
    await moto?.stop();
  });

  it("alerts on failures and on unrenewed certificates under CRITICAL_DAYS, nothing else", () => {
    const alerts = alertsFor(outcomes, 7);
    expect(alerts.map((a) => [a.certificate, a.reason])).toEqual([
      ["api", "failed"],
      ["pbx", "critical"],
      ["old", "critical"],
    ]);
    expect(notificationFor(alerts, "scheduler").subject).toBe("certrelay scheduler: 1 failed, 2 close to expiry");
  });

  it("POSTs the alerts as JSON to the webhook, and reports a refusing webhook without throwing or naming its URL", async () => {
    const notification = notificationFor(alertsFor(outcomes, 7), "worker");
    const errors: string[] = [];
    const good = new WebhookNotifier(webhookUrl);
    const broken = new WebhookNotifier(webhookUrl.replace("/hooks/", "/broken/"));

    await notifyAll([good, broken], notification, (n, e) =>
      errors.push(`${n.description}: ${e instanceof Error ? e.message : String(e)}`),
    );

    expect(received).toHaveLength(2);
    const body = received.find((r) => r.path.startsWith("/hooks/"))?.body as Notification & { text: string };
    expect(body.text).toBe("certrelay worker: 1 failed, 2 close to expiry");
    expect(body.alerts.map((a) => a.certificate)).toEqual(["api", "pbx", "old"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("answered 500");
    expect(errors[0]).not.toContain("T0KEN");
  });

  it("publishes to the SNS topic (received through an SQS subscription in moto)", async () => {
    const sns = new SNSClient(awsClientConfig(moto.endpoint));
    const sqs = new SQSClient(awsClientConfig(moto.endpoint));
    try {
      const topic = await sns.send(new CreateTopicCommand({ Name: "certrelay-alerts" }));
      const queueUrl = await createQueue(sqs, "alerts-inbox");
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
      await sns.send(
        new SubscribeCommand({
          TopicArn: topic.TopicArn,
          Protocol: "sqs",
          Endpoint: attrs.Attributes?.QueueArn,
          Attributes: { RawMessageDelivery: "true" },
        }),
      );

      await new SnsNotifier(sns, topic.TopicArn ?? "").notify(notificationFor(alertsFor(outcomes, 7), "scheduler"));

      const messages = await receiveAll(sqs, queueUrl, 1);
      expect(messages).toHaveLength(1);
      const published = JSON.parse(messages[0]?.Body ?? "{}") as Notification;
      expect(published.subject).toBe("certrelay scheduler: 1 failed, 2 close to expiry");
      expect(published.alerts[0]).toMatchObject({ certificate: "api", reason: "failed", code: "VENDOR_QUOTA" });
    } finally {
      sns.destroy();
      sqs.destroy();
    }
  });
});
