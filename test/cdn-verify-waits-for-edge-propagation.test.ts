import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";

describe("verify waits, within the poll window, for the edge to pick up a new certificate", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture({ edgePropagationHandshakes: 2 });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  function target(host: string) {
    return createCdnTarget(
      {
        endpoint: f.sandbox.url,
        serviceId: "svc-7",
        verifyHost: host,
        verifyAddress: `127.0.0.1:${f.sandbox.edgePort}`,
      },
      f.sandbox.credentials,
      f.ctx,
    );
  }

  it("succeeds once the edge has propagated the attachment", async () => {
    const t = target("slow.example.net");
    try {
      const material = await f.ca.issue({ commonName: "slow.example.net", days: 60 });
      const deployed = await t.deploy(material);
      expect(await t.verify(deployed.serial)).toMatchObject({ ok: true, servedSerial: deployed.serial });
      expect(f.sandbox.stats().faults["async-stall"]).toBe(2);
    } finally {
      await t.close();
    }
  });

  it("gives up after the poll window when the edge is stalled, naming what it serves", async () => {
    const t = target("stuck.example.net");
    try {
      const first = await t.deploy(await f.ca.issue({ commonName: "stuck.example.net", days: 60 }));
      expect((await t.verify(first.serial)).ok).toBe(true);
      f.sandbox.stallEdge();
      const second = await t.deploy(await f.ca.issue({ commonName: "stuck.example.net", days: 90 }));
      const result = await t.verify(second.serial);
      expect(result.ok).toBe(false);
      expect(result.servedSerial).toBe(first.serial);
      // poll window 40 ms at 10 ms: five checks, then a clear answer
      expect(result.detail).toMatch(/still after 5 checks/);
    } finally {
      f.sandbox.stallEdge(false);
      await t.close();
    }
  });

  it("does not wait for a certificate the CDN does not hold", async () => {
    const t = target("stuck.example.net");
    try {
      const stalls = f.sandbox.stats().faults["async-stall"] ?? 0;
      const result = await t.verify("ABCDEF");
      expect(result.ok).toBe(false);
      expect(result.detail).toMatch(/not on the CDN/);
      expect((f.sandbox.stats().faults["async-stall"] ?? 0) - stalls).toBeLessThanOrEqual(1);
    } finally {
      await t.close();
    }
  });
});
