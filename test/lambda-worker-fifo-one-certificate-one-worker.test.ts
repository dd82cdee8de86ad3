/**
 * The worker queue is FIFO with the certificate as message group (moto_server FIFO queue): a scheduler run that
 * sends twice enqueues each certificate once; while a certificate's message is in flight no other worker receives
 * that certificate; and one message delivered to two workers at once (at-least-once delivery) buys once.
 */
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueRenewals } from "../src/fleet/fanout.js";
import type { SqsEvent } from "../src/fleet/lambda-types.js";
import { createWorkerHandler } from "../src/fleet/worker.js";
import { certFacts } from "../src/x509/index.js";
import { cdnTargetYaml, fleetDeps, seedCurrent, startFleetFixture, type FleetFixture } from "./support/fleet.js";
import { startIssuerFor, type IssuerFixture } from "./support/fleet-issuer.js";

describe("FIFO renewal queue: one certificate, one worker", () => {
  let f: FleetFixture;
  let issuer: IssuerFixture;
  let queueUrl: string;
  beforeAll(async () => {
    f = await startFleetFixture();
    issuer = await startIssuerFor(f);
    const created = await f.sqs.send(
      new CreateQueueCommand({
        QueueName: "renewals.fifo",
        Attributes: { FifoQueue: "true", VisibilityTimeout: "60" },
      }),
    );
    queueUrl = created.QueueUrl ?? "";
  });
  afterAll(async () => {
    await issuer?.stop();
    await f?.stop();
  });

  const receive = async () =>
    (
      await f.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ["MessageGroupId"],
        }),
      )
    ).Messages ?? [];

  it("a repeated send of one scheduler run is deduplicated, and a certificate in flight is not handed out again", async () => {
    await enqueueRenewals(f.sqs, queueUrl, ["shop", "blog"], "run-1");
    await enqueueRenewals(f.sqs, queueUrl, ["shop", "blog"], "run-1");
    const first = await receive();
    expect(first.map((m) => m.Attributes?.MessageGroupId).sort()).toEqual(["blog", "shop"]);
    // the next day's run queues shop again while the first shop message is still being worked on
    await enqueueRenewals(f.sqs, queueUrl, ["shop"], "run-2");
    expect(await receive()).toEqual([]);
    for (const m of first)
      await f.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle ?? "" }));
    const next = await receive();
    expect(next.map((m) => m.Attributes?.MessageGroupId)).toEqual(["shop"]);
    for (const m of next)
      await f.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle ?? "" }));
  });

  it("one message delivered to two workers at once: one renews, the other leaves it, one purchase", async () => {
    await seedCurrent(f, "certrelay/shop", "shop.example.net", 5);
    const yaml = [
      "certificates:",
      "  - name: shop",
      "    secret: certrelay/shop",
      "    issuer:",
      issuer.yaml("      "),
      "    targets:",
      cdnTargetYaml(f, "shop.example.net"),
    ].join("\n");
    await enqueueRenewals(f.sqs, queueUrl, ["shop"], "run-3");
    const [message] = await receive();
    const event: SqsEvent = {
      Records: [
        {
          messageId: message?.MessageId ?? "",
          receiptHandle: message?.ReceiptHandle ?? "",
          body: message?.Body ?? "",
          eventSource: "aws:sqs",
        },
      ],
    };
    const before = issuer.purchases();
    const a = await fleetDeps(f, { yaml });
    const b = await fleetDeps(f, { yaml });
    const [ra, rb] = await Promise.all([
      createWorkerHandler(a.deps)(event, { getRemainingTimeInMillis: () => 600_000, awsRequestId: "worker-a" }),
      createWorkerHandler(b.deps)(event, { getRemainingTimeInMillis: () => 600_000, awsRequestId: "worker-b" }),
    ]);
    expect(issuer.purchases() - before).toBe(1);
    expect([...ra.batchItemFailures, ...rb.batchItemFailures]).toEqual([]);
    const actions = [...a.json(), ...b.json()].filter((l) => l.message === "certificate").map((l) => l.action);
    expect(actions).toContain("renewed");
    expect(["none", "skipped"]).toContain(actions.find((x) => x !== "renewed"));
    const current = await f.secrets.getCurrent("certrelay/shop");
    expect(await f.verifyOnCdn("shop.example.net", certFacts(current?.certificate ?? "").serial)).toMatchObject({
      ok: true,
    });
    expect(await f.secrets.getPending("certrelay/shop")).toBeUndefined();
  });
});
