import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployToTarget } from "../src/pipeline/index.js";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { certFacts } from "../src/x509/index.js";
import { DAY_MS } from "../src/sandbox/server.js";
import { CDN_NOW, startCdnFixture, type CdnFixture } from "./support/cdn.js";

describe("deploy to the CDN is idempotent", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("uploads once, then finds the same serial in the list and writes nothing", async () => {
    const material = await f.ca.issue({ commonName: "idem.example.org", sans: ["idem.example.org"], days: 90 });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const first = await target.deploy(material);
      expect(first.changed).toBe(true);
      expect(first.commonName).toBe("idem.example.org");
      expect(first.expireIn).toBe(Math.floor((first.notAfter.getTime() - CDN_NOW.getTime()) / DAY_MS));
      expect(f.sandbox.uploadCount).toBe(1);

      const second = await target.deploy(material);
      expect(second).toMatchObject({ changed: false, id: first.id, serial: first.serial });
      expect(f.sandbox.uploadCount).toBe(1);
      expect(f.sandbox.count("POST /sfd/v2.0/certs")).toBe(1);
      expect(f.sandbox.findBySerial(first.serial)).toHaveLength(1);
    } finally {
      await target.close();
    }
  });

  it("reads expireIn from the CDN, which counts from its own clock", async () => {
    const material = await f.ca.issue({ commonName: "days.example.org", days: 90 });
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const deployed = await target.deploy(material);
      f.clock.advance(10 * DAY_MS);
      const again = await target.deploy(material);
      expect(again.changed).toBe(false);
      expect(again.expireIn).toBe(deployed.expireIn - 10);
    } finally {
      f.clock.set(CDN_NOW);
      await target.close();
    }
  });

  // the dry run is the pipeline step's (vendors take no dry-run flag): it reads what the CDN holds, writes nothing
  it("a dry run reads the list and uploads nothing", async () => {
    const material = await f.ca.issue({ commonName: "dry.example.org", days: 90 });
    const uploads = f.sandbox.uploadCount;
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const result = await deployToTarget(target, material, certFacts(material.certificate).serial, { dryRun: true });
      expect(result.report.status).toBe("would-deploy");
      expect(f.sandbox.uploadCount).toBe(uploads);
    } finally {
      await target.close();
    }
  });
});
