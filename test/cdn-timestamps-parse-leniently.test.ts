import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget, parseSfdTimestamp, serialFromWire } from "../src/providers/cdn/index.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";

describe("SwiftFederation timestamps and serials are read leniently", () => {
  it("accepts the spec format, milliseconds, a space, no zone and the compact form", () => {
    const want = Date.parse("2025-06-25T08:59:38Z");
    for (const s of [
      "2025-06-25T08:59:38Z",
      "2025-06-25T08:59:38.000Z",
      "2025-06-25 08:59:38",
      "2025-06-25T08:59:38",
      "20250625T085938Z",
    ]) {
      expect(parseSfdTimestamp(s, "validTo").getTime()).toBe(want);
    }
    expect(() => parseSfdTimestamp("yesterday", "validTo")).toThrow(/unreadable validTo/);
  });

  it("reads the spec example's decimal serial as hex", () => {
    expect(serialFromWire("231272262238822062748024707871705586383")).toBe(
      BigInt("231272262238822062748024707871705586383").toString(16).toUpperCase(),
    );
  });

  describe("against a CDN that adds milliseconds to created", () => {
    let f: CdnFixture;
    beforeAll(async () => {
      f = await startCdnFixture({ createdMillis: "always", edge: false });
    });
    afterAll(async () => {
      await f.sandbox.stop();
    });

    it("deploys and lists", async () => {
      const material = await f.ca.issue({ commonName: "ms.example.org", days: 30 });
      const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
      try {
        const deployed = await target.deploy(material);
        const listed = [];
        for await (const c of target.list()) listed.push(c);
        expect(listed).toEqual([
          {
            id: deployed.id,
            serial: deployed.serial,
            commonName: "ms.example.org",
            notAfter: deployed.notAfter,
            expireIn: deployed.expireIn,
          },
        ]);
      } finally {
        await target.close();
      }
    });
  });
});
