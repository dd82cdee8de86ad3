import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";

describe("verify reads the certificate the CDN edge serves", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("sees the attached certificate, then reports the new serial once it is replaced", async () => {
    const settings = {
      endpoint: f.sandbox.url,
      serviceId: "svc-42",
      verifyHost: "www.shop.example",
      verifyAddress: `127.0.0.1:${f.sandbox.edgePort}`,
    };
    const target = createCdnTarget(settings, f.sandbox.credentials, f.ctx);
    try {
      const before = await target.verify("01");
      expect(before.ok).toBe(false);

      const oldMaterial = await f.ca.issue({
        commonName: "www.shop.example",
        sans: ["www.shop.example"],
        days: 30,
        serial: "0A01",
      });
      const old = await target.deploy(oldMaterial);
      expect(f.sandbox.attachmentFor("www.shop.example")).toEqual({
        serviceId: "svc-42",
        certificateId: Number(old.id),
      });
      expect(await target.verify(old.serial)).toMatchObject({ ok: true, servedSerial: old.serial });

      const newMaterial = await f.ca.issue({
        commonName: "*.shop.example",
        sans: ["*.shop.example", "shop.example"],
        days: 90,
      });
      const fresh = await target.deploy(newMaterial);
      expect(await target.verify(fresh.serial)).toMatchObject({ ok: true, servedSerial: fresh.serial });

      const stale = await target.verify(old.serial);
      expect(stale.ok).toBe(false);
      expect(stale.servedSerial).toBe(fresh.serial);
      expect(stale.detail).toContain(fresh.serial);
    } finally {
      await target.close();
    }
  });

  it("a deploy of an uploaded certificate the edge already serves sends no attach; one a run uploaded but never attached is attached", async () => {
    const host = "heal.shop.example";
    const settings = {
      endpoint: f.sandbox.url,
      serviceId: "svc-heal",
      verifyHost: host,
      verifyAddress: `127.0.0.1:${f.sandbox.edgePort}`,
    };
    const attaches = () => f.sandbox.count("POST /cdn/v1.0/services/:serviceId/certificates");
    const uploads = () => f.sandbox.count("POST /sfd/v2.0/certs");
    const target = createCdnTarget(settings, f.sandbox.credentials, f.ctx);
    try {
      const material = await f.ca.issue({ commonName: host, sans: [host], days: 30 });
      const first = await target.deploy(material);
      const [attached, uploaded] = [attaches(), uploads()];
      expect(await target.deploy(material)).toMatchObject({ changed: false });
      expect([attaches(), uploads()]).toEqual([attached, uploaded]);

      // a run that died between upload and attach: the CDN holds the new certificate, the domain still the old one
      const next = await f.ca.issue({ commonName: host, sans: [host], days: 60 });
      const crashed = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
      await crashed.deploy(next);
      await crashed.close();
      expect(f.sandbox.attachmentFor(host)?.certificateId).toBe(Number(first.id));
      const healed = await target.deploy(next);
      expect(healed.changed).toBe(true);
      expect(attaches()).toBe(attached + 1);
      expect(uploads()).toBe(uploaded + 1);
      expect(f.sandbox.attachmentFor(host)?.certificateId).toBe(Number(healed.id));
      expect(await target.verify(healed.serial)).toMatchObject({ ok: true, servedSerial: healed.serial });
    } finally {
      await target.close();
    }
  });

  it("serves the fallback certificate for a name nothing covers", async () => {
    const target = createCdnTarget(
      {
        endpoint: f.sandbox.url,
        verifyHost: "unknown.nowhere.example",
        verifyAddress: `127.0.0.1:${f.sandbox.edgePort}`,
      },
      f.sandbox.credentials,
      f.ctx,
    );
    try {
      const result = await target.verify("0A01");
      expect(result.ok).toBe(false);
      expect(result.servedSerial).toBeDefined();
      expect(result.servedSerial).not.toBe("A01");
    } finally {
      await target.close();
    }
  });

  it("without verify-host, verify checks the CDN's list", async () => {
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const material = await f.ca.issue({ commonName: "listed.example", days: 30 });
      const deployed = await target.deploy(material);
      expect((await target.verify(deployed.serial)).ok).toBe(true);
      expect((await target.verify("ABCDEF0123")).ok).toBe(false);
    } finally {
      await target.close();
    }
  });
});
