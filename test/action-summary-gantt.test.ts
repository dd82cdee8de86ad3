import { describe, expect, it } from "vitest";
import { rowFor } from "../src/operations/rows.js";
import { renderSummary } from "../src/report/summary.js";

const DAY = 86_400_000;
const NOW = new Date("2026-11-24T12:00:00Z");

// The job summary renderer: table cells that cannot break the table, a gantt Mermaid accepts, renewal points.
describe("job summary", () => {
  const yearLong = rowFor(
    "cdn https://api:443 | edge",
    {
      serial: "ABC123",
      notBefore: new Date(NOW.getTime() - 10 * DAY),
      notAfter: new Date(NOW.getTime() + 355 * DAY),
      name: "www.example.com",
    },
    "deployed",
    NOW,
    30,
  );
  const sixDay = rowFor(
    "pbx: main #1",
    { serial: "DEF456", notBefore: NOW, notAfter: new Date(NOW.getTime() + 6 * DAY), name: "short.example.com" },
    "unchanged",
    NOW,
    30,
  );
  const markdown = renderSummary({
    title: "certrelay deploy",
    message: "two targets",
    ok: true,
    rows: [yearLong, sixDay],
    context: { sha: "0123456789abcdef", environment: "staging", workflow: "rotate", runId: "7" },
    now: NOW,
  });

  it("renews at min(30 days, a third of the lifetime) before expiry", () => {
    expect(yearLong.renewAt?.toISOString()).toBe(new Date(NOW.getTime() + 325 * DAY).toISOString());
    expect(sixDay.renewAt?.toISOString()).toBe(new Date(NOW.getTime() + 4 * DAY).toISOString());
    expect(markdown).toContain("renew :milestone, r0, 2027-10-15, 0d");
    expect(markdown).toContain("renew :milestone, r1, 2026-11-28, 0d");
  });

  it("escapes pipes in table cells and colons/hashes in gantt names", () => {
    expect(markdown).toContain("| cdn https://api:443 \\| edge |");
    const chart = markdown.slice(markdown.indexOf("```mermaid"));
    expect(chart).toContain("section short.example.com @ pbx main 1");
    expect(chart).not.toMatch(/section .*[:#]/);
  });

  it("shows the deployment context", () => {
    expect(markdown).toContain("**Commit:** `0123456789ab`");
    expect(markdown).toContain("**Environment:** staging");
    expect(markdown).toContain("**Workflow:** rotate");
  });

  it("has no chart when no certificate has dates (a pending order)", () => {
    const pending = renderSummary({
      title: "certrelay apply",
      message: "pending",
      ok: true,
      rows: [{ target: "reseller", certificateId: "42", result: "pending" }],
      warnings: ["order 42 pending"],
      now: NOW,
    });
    expect(pending).not.toContain("gantt");
    expect(pending).toContain("> [!WARNING]");
    expect(pending).toContain("| reseller | 42 | - |");
  });
});
