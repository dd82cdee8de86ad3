import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import type { DeployedCertificate, Target } from "../src/model.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";

async function collect(target: Target): Promise<DeployedCertificate[]> {
  const out: DeployedCertificate[] = [];
  for await (const c of target.list()) out.push(c);
  return out;
}

describe("reads from the CDN survive 5xx and dropped connections", () => {
  let f: CdnFixture;
  let serial: string;
  beforeAll(async () => {
    f = await startCdnFixture();
    const material = await f.ca.issue({ commonName: "faults.example.org", days: 90 });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    serial = (await target.deploy(material)).serial;
    await target.close();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });
  beforeEach(() => {
    f.sandbox.faults.clear();
    f.sandbox.resetStats();
  });

  it("retries a 503 on the list and returns the full list", async () => {
    f.sandbox.faults.add({ fault: { kind: "status", status: 503 }, method: "GET", path: "/sfd/v2.0/certs", times: 2 });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const listed = await collect(target);
      expect(listed.map((c) => c.serial)).toEqual([serial]);
      expect(f.sandbox.count("GET /sfd/v2.0/certs")).toBe(3);
      expect(f.sandbox.stats().faults).toMatchObject({ status: 2 });
    } finally {
      await target.close();
    }
  });

  it("retries a GET whose connection was dropped", async () => {
    f.sandbox.faults.add({ fault: { kind: "drop" }, method: "GET", path: "/sfd/v2.0/certs", times: 1 });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const listed = await collect(target);
      expect(listed.map((c) => c.serial)).toEqual([serial]);
      expect(f.sandbox.count("GET /sfd/v2.0/certs")).toBe(2);
      expect(f.sandbox.authFailureCount).toBe(0);
    } finally {
      await target.close();
    }
  });

  it("gives up with a clear error when the list keeps failing", async () => {
    f.sandbox.faults.add({
      fault: { kind: "status", status: 500 },
      method: "GET",
      path: "/sfd/v2.0/certs",
      times: Infinity,
    });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      await expect(collect(target)).rejects.toMatchObject({ vendor: "cdn", status: 500 });
      expect(f.sandbox.count("GET /sfd/v2.0/certs")).toBe(4);
    } finally {
      await target.close();
    }
  });
});
