import { describe, expect, it } from "vitest";
import { certIdFrom, renewalTimeInWindow } from "../src/providers/acme/ari.js";

describe("ACME Renewal Information identifiers and times", () => {
  it("builds the certID of RFC 9773 §4.1's example", () => {
    // AKI keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4, serial 00:87:65:43:21
    expect(certIdFrom("69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4", "0087654321")).toBe(
      "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
    );
    // the leading zero byte is kept only where DER needs it
    expect(certIdFrom("01", "7F")).toBe("AQ.fw");
    expect(certIdFrom("01", "0000000080")).toBe("AQ.AIA");
  });

  it("picks one moment inside the window, the same one every time for the same certificate and window", () => {
    const start = new Date("2026-12-01T00:00:00Z");
    const end = new Date("2026-12-03T00:00:00Z");
    const at = renewalTimeInWindow("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", start, end);
    expect(at.getTime()).toBeGreaterThanOrEqual(start.getTime());
    expect(at.getTime()).toBeLessThan(end.getTime());
    expect(renewalTimeInWindow("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", start, end)).toEqual(at);
    // different certificates spread over the window instead of all renewing at its start
    const picks = new Set(Array.from({ length: 20 }, (_, i) => renewalTimeInWindow(`cert-${i}`, start, end).getTime()));
    expect(picks.size).toBe(20);
  });
});
