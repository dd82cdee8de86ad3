import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isVendorError } from "../src/errors.js";
import { createEnosIssuer, createEnosTarget } from "../src/providers/enos/index.js";
import type { DeployedCertificate, Target } from "../src/model.js";
import { DAY_MS } from "../src/model.js";
import { certFacts, generateKeyAndCsr } from "../src/x509/index.js";
import { startEnosFixture, type EnosFixture } from "./support/enos.js";

async function collect(target: Target): Promise<DeployedCertificate[]> {
  const out: DeployedCertificate[] = [];
  for await (const c of target.list()) out.push(c);
  return out;
}

describe("EnOS target: a read-only view of the device's certificates", () => {
  let f: EnosFixture;
  let target: Target;
  let certificate: string;
  let orderId: string;
  let firstSerial: string;

  beforeAll(async () => {
    f = await startEnosFixture();
    const settings = {
      endpoint: f.sandbox.url,
      orgId: "yourOrgId",
      productKey: "yourProductKey",
      deviceKey: "yourDeviceKey",
      validDays: 90,
    };
    const issuer = createEnosIssuer(settings, f.sandbox.credentials, f.ctx);
    const first = await issuer.issue({
      csr: (await generateKeyAndCsr({ keyType: "rsa", commonName: "view.device.example" })).csr,
      commonName: "view.device.example",
      sans: [],
      reference: "1",
    });
    if (first.state !== "issued") throw new Error("expected issued");
    firstSerial = certFacts(first.certificate).serial;
    f.clock.advance(DAY_MS);
    const second = await issuer.issue({
      csr: (await generateKeyAndCsr({ keyType: "rsa", commonName: "view.device.example" })).csr,
      commonName: "view.device.example",
      sans: [],
      reference: "2",
      previousOrderId: first.orderId,
    });
    if (second.state !== "issued") throw new Error("expected issued");
    certificate = second.certificate;
    orderId = second.orderId;
    await issuer.close();
    target = createEnosTarget(settings, f.sandbox.credentials, f.ctx);
  });
  afterAll(async () => {
    await target.close();
    await f.sandbox.stop();
  });

  it("lists the certificate the device holds (not the revoked one) with notAfter from expireDate", async () => {
    const listed = await collect(target);
    expect(listed).toHaveLength(1);
    const facts = certFacts(certificate);
    expect(listed[0]).toEqual({
      id: orderId,
      serial: facts.serial,
      commonName: "view.device.example",
      notAfter: facts.notAfter,
      expireIn: 90,
    });
  });

  it("verify is true for the valid bound serial and false for the superseded one", async () => {
    const serial = certFacts(certificate).serial;
    expect(await target.verify(serial)).toMatchObject({ ok: true, servedSerial: serial });
    const old = await target.verify(firstSerial);
    expect(old).toMatchObject({ ok: false, servedSerial: serial });
    expect(old.detail).toContain(`not serial ${firstSerial}`);
  });

  it("deploy of the certificate the device holds changes nothing", async () => {
    const result = await target.deploy({ certificate, privateKey: "", chain: "" });
    expect(result).toMatchObject({ changed: false, id: orderId, serial: certFacts(certificate).serial });
  });

  it("deploy of any other certificate says to issue through the enos issuer, and writes nothing", async () => {
    const other = await f.ca.issue({ commonName: "view.device.example", days: 30 });
    const posts = f.sandbox.count("POST /connect-service/v2.0/certificates");
    const error = await target.deploy(other).catch((e: unknown) => e);
    expect(error).toSatisfy(isVendorError);
    expect(error).toMatchObject({ code: "VENDOR_REJECTED", vendor: "enos" });
    expect(String((error as Error).message)).toMatch(/Issue the certificate through the enos issuer/);
    expect(f.sandbox.count("POST /connect-service/v2.0/certificates")).toBe(posts);
  });

  it("an expired certificate is still listed, with negative days left, and fails verify", async () => {
    f.clock.advance(100 * DAY_MS);
    const listed = await collect(target);
    expect(listed[0]?.expireIn).toBeLessThan(0);
    expect((await target.verify(listed[0]?.serial ?? "")).ok).toBe(false);
  });
});

describe("EnOS seeded devices", () => {
  it("seedEnosDevices registers devices a target can read without issuing anything", async () => {
    const { seedEnosDevices } = await import("../src/sandbox/enos/server.js");
    const f = await startEnosFixture();
    try {
      const ids = seedEnosDevices(f.sandbox, 1000);
      expect(ids).toHaveLength(1000);
      const target = createEnosTarget(
        { endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: ids[999] ?? "" },
        f.sandbox.credentials,
        f.ctx,
      );
      try {
        expect(await collect(target)).toEqual([]);
      } finally {
        await target.close();
      }
    } finally {
      await f.sandbox.stop();
    }
  });
});
