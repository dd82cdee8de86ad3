import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnosIssuer } from "../src/providers/enos/index.js";
import type { Issuer } from "../src/model.js";
import { DAY_MS } from "../src/model.js";
import { certFacts, generateKeyAndCsr } from "../src/x509/index.js";
import { CERTS, rawCall, startEnosFixture, type EnosFixture } from "./support/enos.js";

describe("EnOS renew: the device's valid certificate is renewed, an expired one is applied for anew", () => {
  let f: EnosFixture;
  let issuer: Issuer;
  const CN = "renew.device.example";
  const request = async (extra: { previousOrderId?: string; previousSerial?: string } = {}) => ({
    csr: (await generateKeyAndCsr({ keyType: "rsa", commonName: CN })).csr,
    commonName: CN,
    sans: [],
    reference: "renew",
    ...extra,
  });

  beforeAll(async () => {
    f = await startEnosFixture();
    issuer = createEnosIssuer(
      { endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId", validDays: 30 },
      f.sandbox.credentials,
      f.ctx,
    );
  });
  afterAll(async () => {
    await issuer.close();
    await f.sandbox.stop();
  });

  it("renews by previousOrderId (certSN): the old certificate is revoked, the new one is the device's only valid one", async () => {
    const first = await issuer.issue(await request());
    expect(f.sandbox.actionCount("apply")).toBe(1);
    const second = await issuer.issue(await request({ previousOrderId: first.orderId }));
    expect(second.state).toBe("issued");
    expect(second.orderId).not.toBe(first.orderId);
    expect(f.sandbox.actionCount("renew")).toBe(1);
    expect(f.sandbox.actionCount("apply")).toBe(1);
    const statuses = f.sandbox.certificatesOf("yourDeviceAssetId").map((c) => [c.certSN, c.certStatus]);
    expect(statuses).toEqual([
      [first.orderId, 1],
      [second.orderId, 0],
    ]);
  });

  it("renews by previousSerial (hex) as the pipeline passes it", async () => {
    const current = f.sandbox.certificatesOf("yourDeviceAssetId").find((c) => c.certStatus === 0);
    const serial = certFacts(current?.cert ?? "").serial;
    const next = await issuer.issue(await request({ previousSerial: serial }));
    expect(next.state).toBe("issued");
    expect(f.sandbox.actionCount("renew")).toBe(2);
  });

  it("applies anew when the previous certificate has expired (renew is only for valid ones)", async () => {
    const current = f.sandbox.certificatesOf("yourDeviceAssetId").find((c) => c.certStatus === 0);
    f.clock.advance(31 * DAY_MS);
    expect(f.sandbox.certificatesOf("yourDeviceAssetId").find((c) => c.certSN === current?.certSN)?.certStatus).toBe(2);
    const next = await issuer.issue(await request({ previousOrderId: current?.certSN ?? "" }));
    expect(next.state).toBe("issued");
    expect(f.sandbox.actionCount("renew")).toBe(2);
    expect(f.sandbox.actionCount("apply")).toBe(2);
  });

  it("renew without a CSR reuses the old request: same key, new certificate", async () => {
    const current = f.sandbox.certificatesOf("yourDeviceAssetId").find((c) => c.certStatus === 0);
    const { json } = await rawCall(
      f.sandbox,
      "POST",
      `${CERTS}?action=renew&orgId=yourOrgId&assetId=yourDeviceAssetId`,
      { certSn: Number(current?.certSN), validDay: 10 },
    );
    expect(json).toMatchObject({ code: 0, data: { certSN: expect.any(String), issueAuthority: "RSA" } });
    const renewed = new X509Certificate((json.data as { cert: string }).cert);
    const oldKey = new X509Certificate(current?.cert ?? "").publicKey.export({ type: "spki", format: "der" });
    expect(renewed.publicKey.export({ type: "spki", format: "der" }).equals(oldKey)).toBe(true);
    expect(renewed.publicKey.asymmetricKeyType).toBe("rsa");
    expect(f.sandbox.certificatesOf("yourDeviceAssetId").filter((c) => c.certStatus === 0)).toHaveLength(1);
  });
});
