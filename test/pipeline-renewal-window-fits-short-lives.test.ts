import { describe, expect, it } from "vitest";
import { DAY_MS } from "../src/model.js";
import { renewalWindow } from "../src/pipeline/index.js";

const start = new Date("2026-01-01T00:00:00Z");
const cert = (days: number) => ({ notBefore: start, notAfter: new Date(start.getTime() + days * DAY_MS) });
const at = (day: number) => new Date(start.getTime() + day * DAY_MS);

describe("renewal is due at min(renewBeforeDays, a third of the lifetime) left", () => {
  it.each([
    // lifetime, renewBeforeDays, threshold days, last day not due, first day due
    [90, 30, 30, 59, 60],
    [47, 30, 47 / 3, 31, 32],
    [6, 30, 2, 3, 4],
    [398, 30, 30, 367, 368],
    [90, 10, 10, 79, 80],
  ])("%i-day certificate, renewBeforeDays %i", (lifetime, renewBeforeDays, thresholdDays, lastNotDue, firstDue) => {
    const c = cert(lifetime);
    expect(renewalWindow(c, at(lastNotDue), renewBeforeDays).due).toBe(false);
    const due = renewalWindow(c, at(firstDue), renewBeforeDays);
    expect(due.due).toBe(true);
    expect(due.renewAt.getTime()).toBe(c.notAfter.getTime() - thresholdDays * DAY_MS);
    // a due certificate always has a real margin left: a third of a 6-day life is 2 days, not 0
    expect(due.daysLeft).toBeGreaterThanOrEqual(Math.floor(Math.min(renewBeforeDays, lifetime / 3)) - 1);
  });

  it("reports negative days left once expired, and is due", () => {
    const w = renewalWindow(cert(30), at(31), 30);
    expect(w.daysLeft).toBe(-1);
    expect(w.due).toBe(true);
  });
});
