import { describe, expect, it } from "vitest";
import { settingsFromEnv, notifiersFromEnv } from "../src/fleet/env.js";
import { SNSClient } from "@aws-sdk/client-sns";

describe("Lambda environment variables are validated once, by name", () => {
  it("uses the documented defaults", () => {
    expect(settingsFromEnv({})).toEqual({
      fanoutThreshold: 10,
      criticalDays: 7,
      workerConcurrency: 2,
      reserveMs: 120_000,
      checkTargets: true,
    });
  });

  it("reads the overrides", () => {
    expect(
      settingsFromEnv({
        FANOUT_THRESHOLD: "0",
        CRITICAL_DAYS: "3",
        WORKER_CONCURRENCY: "4",
        RESERVE_MS: "5000",
        CHECK_TARGETS: "false",
        QUEUE_URL: " https://sqs/q ",
        HTTP_TIMEOUT_MS: "5000",
      }),
    ).toEqual({
      fanoutThreshold: 0,
      criticalDays: 3,
      workerConcurrency: 4,
      reserveMs: 5000,
      checkTargets: false,
      httpTimeoutMs: 5000,
      queueUrl: "https://sqs/q",
    });
  });

  it("names the variable and the allowed range for a bad number", () => {
    expect(() => settingsFromEnv({ FANOUT_THRESHOLD: "ten" })).toThrow(
      "FANOUT_THRESHOLD must be a whole number from 0 to 100000",
    );
    expect(() => settingsFromEnv({ WORKER_CONCURRENCY: "0" })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", field: "WORKER_CONCURRENCY" }),
    );
  });

  it("builds notifiers only for what is set, and refuses a webhook that is not http(s) without echoing it", () => {
    const sns = () => new SNSClient({ region: "us-east-1" });
    expect(notifiersFromEnv({ NOTIFY_WEBHOOK_URL: "" }, sns)).toEqual([]);
    const both = notifiersFromEnv(
      {
        NOTIFY_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:alerts",
        NOTIFY_WEBHOOK_URL: "https://hooks.example/T0KEN",
      },
      sns,
    );
    expect(both.map((n) => n.description)).toEqual([
      "sns arn:aws:sns:us-east-1:123456789012:alerts",
      "webhook hooks.example",
    ]);
    let message = "";
    try {
      notifiersFromEnv({ NOTIFY_WEBHOOK_URL: "ftp://user:s3cret@host/x" }, sns);
    } catch (error) {
      message = error instanceof Error ? error.message : "";
    }
    expect(message).toBe("NOTIFY_WEBHOOK_URL must be an http(s) URL");
  });
});
