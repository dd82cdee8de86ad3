import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { handler } from "../lambda/worker.js";
import type { SqsEvent } from "../src/fleet/lambda-types.js";
import {
  cdnTargetYaml,
  createQueue,
  receiveAll,
  seedCurrent,
  startFleetFixture,
  type FleetFixture,
} from "./support/fleet.js";

/** The Lambda entry itself, wired from the environment exactly as AWS would run it, against moto and the CDN sandbox. */
describe("worker: a poisoned message is reported in batchItemFailures, the rest of the batch is processed", () => {
  let f: FleetFixture;
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    f = await startFleetFixture({ realClock: true });
    dir = mkdtempSync(join(tmpdir(), "certrelay-worker-"));
  });
  afterAll(async () => {
    process.env = saved;
    if (dir) rmSync(dir, { recursive: true, force: true });
    await f?.stop();
  });

  it("processes the two good messages and fails only the bad JSON and the unknown name", async () => {
    const alpha = await seedCurrent(f, "certrelay/alpha", "alpha.shop.example", 60);
    const beta = await seedCurrent(f, "certrelay/beta", "beta.shop.example", 60);
    const yaml = [
      "certificates:",
      ...["alpha", "beta"].flatMap((name) => [
        `  - name: ${name}`,
        `    secret: certrelay/${name}`,
        "    targets:",
        cdnTargetYaml(f, `${name}.shop.example`),
      ]),
    ].join("\n");
    const caFile = join(dir, "ca.pem");
    writeFileSync(caFile, f.ca.rootPem);
    const queueUrl = await createQueue(f.sqs, "certrelay-work");
    const arn = (await f.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] })))
      .Attributes?.QueueArn;
    for (const body of [
      '{"name":"alpha","dedupeId":"r:alpha"}',
      "{not json",
      '{"name":"ghost"}',
      '{"name":"beta","dedupeId":"r:beta"}',
    ]) {
      await f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    }
    const received = await receiveAll(f.sqs, queueUrl, 4);
    expect(received).toHaveLength(4);
    const event: SqsEvent = {
      Records: received.map((m) => ({
        messageId: m.MessageId ?? "",
        receiptHandle: m.ReceiptHandle ?? "",
        body: m.Body ?? "",
        attributes: {},
        eventSource: "aws:sqs",
        ...(arn ? { eventSourceARN: arn } : {}),
      })),
    };
    const idOf = (body: string) => received.find((m) => m.Body === body)?.MessageId;

    process.env = {
      ...saved,
      AWS_ENDPOINT_URL: f.moto.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      CERTRELAY_CONFIG_YAML: yaml,
      CERTRELAY_CA_FILE: caFile,
      WORKER_CONCURRENCY: "2",
      RESERVE_MS: "1000",
    };
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      output.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
    let result;
    try {
      result = await handler(event, { getRemainingTimeInMillis: () => 290_000, awsRequestId: "req-worker" });
    } finally {
      write.mockRestore();
    }

    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [idOf("{not json"), idOf('{"name":"ghost"}')].sort(),
    );
    // the good ones reached the CDN: each was missing there, so the current certificate was deployed and verified
    expect(f.cdn.uploadCount).toBe(2);
    const lines = output
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const certificateLines = lines.filter((l) => l.message === "certificate");
    expect(certificateLines.map((l) => [l.certificate, l.action, l.result])).toEqual([
      ["alpha", "deployed", "ok"],
      ["beta", "deployed", "ok"],
    ]);
    const rejected = lines.filter((l) => l.message === "message rejected");
    expect(rejected.map((l) => [l.messageId, l.errorCode])).toEqual(
      expect.arrayContaining([
        [idOf("{not json"), "INPUT_INVALID"],
        [idOf('{"name":"ghost"}'), "INPUT_INVALID"],
      ]),
    );
    expect(rejected.find((l) => l.messageId === idOf('{"name":"ghost"}'))?.error).toContain(
      "no certificate named 'ghost'",
    );
    const all = output.join("");
    for (const secret of [alpha.privateKey, beta.privateKey, f.cdn.credentials.accessKeySecret, "PRIVATE KEY"])
      expect(all).not.toContain(secret.trim());
  });
});
