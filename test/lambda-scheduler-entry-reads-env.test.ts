import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { handler } from "../lambda/scheduler.js";
import { parseRenewalMessage } from "../src/fleet/fanout.js";
import {
  cdnTargetYaml,
  createQueue,
  receiveAll,
  seedCurrent,
  startFleetFixture,
  type FleetFixture,
} from "./support/fleet.js";

/** The Lambda entry as AWS runs it: everything from the environment, output on stdout. */
describe("scheduler entry: wired from the Lambda environment", () => {
  let f: FleetFixture;
  const saved = { ...process.env };
  beforeAll(async () => {
    f = await startFleetFixture({ realClock: true });
  });
  afterAll(async () => {
    process.env = saved;
    await f?.stop();
  });

  it("reads CERTRELAY_CONFIG_YAML, FANOUT_THRESHOLD and QUEUE_URL, queues the due certificate and prints JSON lines", async () => {
    const material = await seedCurrent(f, "certrelay/www", "www.shop.example", 2);
    const queueUrl = await createQueue(f.sqs, "entry-renewals");
    process.env = {
      ...saved,
      AWS_ENDPOINT_URL: f.moto.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      CERTRELAY_CONFIG_YAML: [
        "certificates:",
        "  - name: www",
        "    secret: certrelay/www",
        "    targets:",
        cdnTargetYaml(f, "www.shop.example"),
      ].join("\n"),
      QUEUE_URL: queueUrl,
      FANOUT_THRESHOLD: "0",
    };
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      output.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
    let result;
    try {
      result = await handler(
        { "detail-type": "Scheduled Event" },
        { getRemainingTimeInMillis: () => 800_000, awsRequestId: "req-entry" },
      );
    } finally {
      write.mockRestore();
    }

    expect(result.mode).toBe("fan-out");
    expect(result.runId).toBe("req-entry");
    const messages = await receiveAll(f.sqs, queueUrl, 1);
    expect(messages.map((m) => parseRenewalMessage(m.Body ?? ""))).toEqual([
      { name: "www", dedupeId: "req-entry:www" },
    ]);
    const lines = output
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.message === "certificate")).toMatchObject({
      function: "scheduler",
      certificate: "www",
      action: "queued",
      daysLeft: 2,
    });
    expect(lines.find((l) => l.Certificate === "www")).toMatchObject({ DaysLeft: 2 });
    expect(output.join("")).not.toContain(material.privateKey.trim());
  });
});
