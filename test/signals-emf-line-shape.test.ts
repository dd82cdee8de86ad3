import { describe, expect, it } from "vitest";
import { writeMetrics } from "../src/signals/emf.js";
import type { CertificateOutcome } from "../src/signals/log.js";

const AT = new Date("2026-11-24T12:00:00Z");

describe("EMF lines CloudWatch turns into metrics", () => {
  it("writes DaysLeft per certificate and the fleet's renewal totals under namespace certrelay", () => {
    const lines: string[] = [];
    const outcomes: CertificateOutcome[] = [
      { name: "www", action: "renewed", daysLeft: 89, durationMs: 120 },
      {
        name: "api",
        action: "failed",
        daysLeft: 3,
        durationMs: 40,
        error: { code: "VENDOR_ERROR", message: "upload refused" },
      },
      { name: "mail", action: "none", daysLeft: 60, durationMs: 5 },
      { name: "new", action: "failed", durationMs: 1, error: { code: "STORE_ERROR", message: "unreadable" } },
    ];

    writeMetrics((l) => lines.push(l), outcomes, AT);

    const docs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(docs).toHaveLength(4);
    expect(docs[0]).toEqual({
      _aws: {
        Timestamp: AT.getTime(),
        CloudWatchMetrics: [
          { Namespace: "certrelay", Dimensions: [["Certificate"]], Metrics: [{ Name: "DaysLeft", Unit: "None" }] },
        ],
      },
      Certificate: "www",
      DaysLeft: 89,
    });
    expect(docs.slice(0, 3).map((d) => [d.Certificate, d.DaysLeft])).toEqual([
      ["www", 89],
      ["api", 3],
      ["mail", 60],
    ]);
    expect(docs[3]).toEqual({
      _aws: {
        Timestamp: AT.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: "certrelay",
            Dimensions: [[]],
            Metrics: [
              { Name: "RenewalsSucceeded", Unit: "Count" },
              { Name: "RenewalsFailed", Unit: "Count" },
            ],
          },
        ],
      },
      RenewalsSucceeded: 1,
      RenewalsFailed: 2,
    });
    for (const line of lines) expect(line).not.toContain("\n");
  });
});
