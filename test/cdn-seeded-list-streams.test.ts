import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { seedCdnCertificates } from "../src/sandbox/cdn/server.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";

describe("a 10k-certificate CDN account is listed in one request (the list has no paging)", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture({ edge: false });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("seeds 10k distinct records and lists them all with one bare GET", async () => {
    const ids = seedCdnCertificates(f.sandbox, 10_000, { commonName: "edge-{i}.bench.example" });
    expect(new Set(ids).size).toBe(10_000);
    expect(f.sandbox.certificateCount).toBe(10_000);

    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
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
      expect(f.sandbox.count("GET /sfd/v2.0/certs")).toBe(1);
    } finally {
      await target.close();
    }
  });

  it("a consumer that stops early still costs one request", async () => {
    f.sandbox.resetStats();
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      let seen = 0;
      for await (const _ of target.list()) {
        seen += 1;
        if (seen === 150) break;
      }
      expect(f.sandbox.count("GET /sfd/v2.0/certs")).toBe(1);
    } finally {
      await target.close();
    }
  });
});
