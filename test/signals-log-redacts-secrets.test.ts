import { describe, expect, it } from "vitest";
import { createJsonLogger, logCertificate } from "../src/signals/log.js";

const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";

describe("structured log lines never carry secrets", () => {
  it("redacts secret-named fields and PEM text, keeps the store secret id", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({
      write: (l) => lines.push(l),
      clock: () => new Date("2026-11-24T12:00:00Z"),
      base: { function: "scheduler" },
    });

    logger.info("credentials loaded", {
      secret: "certrelay/www",
      password: "hunter2",
      apiKey: "k-123",
      nested: { accessKeySecret: "s3cr3t", note: PEM },
    });
    logger.error("deploy failed", { error: new Error(`bad key ${PEM}`) });
    logger.debug("dropped below info", { token: "tok" });

    expect(lines).toHaveLength(2);
    const all = lines.join("\n");
    for (const secret of ["hunter2", "k-123", "s3cr3t", "BEGIN PRIVATE KEY", "MIIEvQ"])
      expect(all).not.toContain(secret);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      time: "2026-11-24T12:00:00.000Z",
      level: "info",
      function: "scheduler",
      message: "credentials loaded",
      secret: "certrelay/www",
      password: "[redacted]",
      nested: { accessKeySecret: "[redacted]", note: "[redacted PEM]" },
    });
  });

  it("writes one line per certificate with name, daysLeft, action, result and durationMs", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (l) => lines.push(l), clock: () => new Date("2026-11-24T12:00:00Z") });

    logCertificate(logger, {
      name: "www",
      action: "failed",
      daysLeft: 4,
      durationMs: 31,
      error: { code: "VERIFY_FAILED", message: "edge serves 0A01" },
    });
    logCertificate(logger, { name: "api", action: "queued", durationMs: 2 });

    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        time: "2026-11-24T12:00:00.000Z",
        level: "error",
        message: "certificate",
        certificate: "www",
        daysLeft: 4,
        action: "failed",
        result: "failed",
        durationMs: 31,
        errorCode: "VERIFY_FAILED",
        error: "edge serves 0A01",
      },
      {
        time: "2026-11-24T12:00:00.000Z",
        level: "info",
        message: "certificate",
        certificate: "api",
        daysLeft: null,
        action: "queued",
        result: "in-progress",
        durationMs: 2,
      },
    ]);
  });
});
