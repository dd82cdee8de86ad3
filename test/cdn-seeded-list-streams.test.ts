import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { seedCdnCertificates } from "../src/sandbox/cdn/server.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";

describe("a 10k-certificate CDN account streams page by page", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture({ edge: false });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("seeds 10k distinct records and lists them all in pages", async () => {
    const ids = seedCdnCertificates(f.sandbox, 10_000, { commonName: "edge-{i}.bench.example" });
    expect(new Set(ids).size).toBe(10_000);
    expect(f.sandbox.certificateCount).toBe(10_000);

    const target = createCdnTarget({ endpoint: f.sandbox.url, pageSize: 500 }, f.sandbox.credentials, f.ctx);
    try {
      const serials = new Set<string>();
      let minDays = Infinity;
      let maxDays = -Infinity;
      for await (const c of target.list()) {
        serials.add(c.serial);
        minDays = Math.min(minDays, c.expireIn);
        maxDays = Math.max(maxDays, c.expireIn);
      }
      expect(serials.size).toBe(10_000);
      expect(minDays).toBe(1);
      expect(maxDays).toBe(400);
      // 20 full pages and one empty page that ends the stream
      expect(f.sandbox.count("GET /sfd/v2.0/certs")).toBe(21);
    } finally {
      await target.close();
    }
  });

  it("stops early when the consumer does", async () => {
    f.sandbox.resetStats();
    const target = createCdnTarget({ endpoint: f.sandbox.url, pageSize: 100 }, f.sandbox.credentials, f.ctx);
    try {
      let seen = 0;
      for await (const _ of target.list()) {
        seen += 1;
        if (seen === 150) break;
      }
      expect(f.sandbox.count("GET /sfd/v2.0/certs")).toBe(2);
    } finally {
      await target.close();
    }
  });
});
