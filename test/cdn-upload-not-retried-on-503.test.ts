import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";

describe("an upload is never retried", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("a 503 on POST /sfd/v2.0/certs is sent once and explained; the next deploy uploads once", async () => {
    const material = await f.ca.issue({ commonName: "once.example.org", days: 90 });
    f.sandbox.faults.add({ fault: { kind: "status", status: 503 }, method: "POST", path: "/sfd/v2.0/certs", times: 1 });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const deploy = target.deploy(material);
      await expect(deploy).rejects.toMatchObject({ code: "VENDOR_ERROR", vendor: "cdn", status: 503 });
      await expect(deploy).rejects.toThrow(/not retried because a repeated upload creates a duplicate record/);
      expect(f.sandbox.count("POST /sfd/v2.0/certs")).toBe(1);
      expect(f.sandbox.uploadCount).toBe(0);

      const again = await target.deploy(material);
      expect(again.changed).toBe(true);
      expect(f.sandbox.count("POST /sfd/v2.0/certs")).toBe(2);
      expect(f.sandbox.uploadCount).toBe(1);
    } finally {
      await target.close();
    }
  });

  it("a connection dropped during the upload is not retried either, and says the CDN may hold it", async () => {
    const material = await f.ca.issue({ commonName: "dropped.example.org", days: 90 });
    const posts = f.sandbox.count("POST /sfd/v2.0/certs");
    f.sandbox.faults.add({ fault: { kind: "drop" }, method: "POST", path: "/sfd/v2.0/certs", times: 1 });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const deploy = target.deploy(material);
      await expect(deploy).rejects.toMatchObject({ code: "NETWORK_ERROR", vendor: "cdn" });
      await expect(deploy).rejects.toThrow(/not retried because the CDN may already hold it/);
      expect(f.sandbox.count("POST /sfd/v2.0/certs")).toBe(posts + 1);
    } finally {
      await target.close();
    }
  });
});
