import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqsEvent } from "../src/fleet/lambda-types.js";
import { createSchedulerHandler } from "../src/fleet/scheduler.js";
import { createWorkerHandler } from "../src/fleet/worker.js";
import { certFacts } from "../src/x509/index.js";
import {
  certificateLine,
  cdnTargetYaml,
  createQueue,
  fleetDeps,
  receiveAll,
  roomyContext,
  seedCurrent,
  startFleetFixture,
  type FleetFixture,
} from "./support/fleet.js";
import { startIssuerFor, type IssuerFixture } from "./support/fleet-issuer.js";

describe("fan-out end to end: the worker renews what the scheduler queued", () => {
  let f: FleetFixture;
  let issuer: IssuerFixture;
  beforeAll(async () => {
    f = await startFleetFixture();
    issuer = await startIssuerFor(f);
  });
  afterAll(async () => {
    await issuer?.stop();
    await f?.stop();
  });

  it("promotes each certificate once, with one purchase each, and a duplicate delivery buys nothing more", async () => {
    const names = ["shop", "blog"];
    const old = new Map<string, string>();
    for (const name of names)
      old.set(
        name,
        certFacts((await seedCurrent(f, `certrelay/${name}`, `${name}.example.net`, 6)).certificate).serial,
      );
    const yaml = [
      "certificates:",
      ...names.flatMap((name) => [
        `  - name: ${name}`,
        `    secret: certrelay/${name}`,
        "    issuer:",
        issuer.yaml("      "),
        "    targets:",
        cdnTargetYaml(f, `${name}.example.net`),
      ]),
    ].join("\n");
    const queueUrl = await createQueue(f.sqs, "renewals");
    const scheduler = await fleetDeps(f, { yaml, sqs: f.sqs, settings: { fanoutThreshold: 1, queueUrl } });
    expect((await createSchedulerHandler(scheduler.deps)({}, roomyContext)).counts.queued).toBe(2);
    expect(issuer.purchases()).toBe(0);

    const messages = await receiveAll(f.sqs, queueUrl, 2);
    // SQS is at-least-once: the same body delivered twice in one batch
    const first = messages[0];
    const event: SqsEvent = {
      Records: [...messages, { ...first, MessageId: "redelivered-1" }].map((m) => ({
        messageId: m?.MessageId ?? "",
        receiptHandle: m?.ReceiptHandle ?? "",
        body: m?.Body ?? "",
        eventSource: "aws:sqs",
      })),
    };
    const worker = await fleetDeps(f, { yaml, settings: { workerConcurrency: 2 } });
    const response = await createWorkerHandler(worker.deps)(event, roomyContext);

    expect(response.batchItemFailures).toEqual([]);
    expect(issuer.purchases()).toBe(2);
    for (const name of names) {
      const current = certFacts((await f.secrets.getCurrent(`certrelay/${name}`))?.certificate ?? "").serial;
      expect(current).not.toBe(old.get(name));
      const previous = await f.sm.send(
        new GetSecretValueCommand({ SecretId: `certrelay/${name}`, VersionStage: "AWSPREVIOUS" }),
      );
      expect(certFacts((JSON.parse(previous.SecretString ?? "{}") as { certificate: string }).certificate).serial).toBe(
        old.get(name),
      );
      expect(await f.verifyOnCdn(`${name}.example.net`, current)).toMatchObject({ ok: true });
      expect(certificateLine(worker.json(), name)).toMatchObject({ action: "renewed", result: "ok", serial: current });
    }
    expect(worker.json().filter((l) => l.message === "certificate")).toHaveLength(2);
  });
});
