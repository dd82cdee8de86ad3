import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyAndCsr } from "../src/x509/index.js";
import { CERTS, rawCall, startEnosFixture, type EnosFixture } from "./support/enos.js";

// Every error code and 99400 variant of enos-apply-certificate.txt, reached by a request plus seeded state or a knob.
describe("EnOS certificate API: every documented error", () => {
  let f: EnosFixture;
  const apply = (query: string, body: unknown) => rawCall(f.sandbox, "POST", `${CERTS}?action=apply&${query}`, body);
  const ON_DEVICE = "orgId=yourOrgId&assetId=yourDeviceAssetId";
  const ON_SECOND = "orgId=yourOrgId&assetId=secondAssetId";
  let rsaCsr: string;

  beforeAll(async () => {
    f = await startEnosFixture();
    f.sandbox.addDevice({ assetId: "secondAssetId", productKey: "yourProductKey", deviceKey: "secondDevice" });
    f.sandbox.addDevice({ assetId: "thirdAssetId", productKey: "yourProductKey", deviceKey: "thirdDevice" });
    rsaCsr = (await generateKeyAndCsr({ keyType: "rsa", commonName: "errors.device.example" })).csr;
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("99400 validity exceeds the product maximum", async () => {
    const { json } = await apply(ON_DEVICE, { csr: rsaCsr, validDay: 3651 });
    expect(json).toMatchObject({
      code: 99400,
      msg: "The specified validity period exceeds the maximum certificate validity period of the product to which this device belongs.",
    });
  });

  it("99400 device identifier invalid (no assetId, productKey without deviceKey)", async () => {
    expect((await apply("orgId=yourOrgId", { csr: rsaCsr })).json).toMatchObject({
      code: 99400,
      msg: "invalid argument: The device identifier is invalid",
    });
    expect((await apply("orgId=yourOrgId&productKey=yourProductKey", { csr: rsaCsr })).json).toMatchObject({
      code: 99400,
      msg: "invalid argument: The device identifier is invalid",
    });
  });

  it("99400 csr missing", async () => {
    expect((await apply(ON_DEVICE, { validDay: 30 })).json).toMatchObject({
      code: 99400,
      msg: "Invalid Argument csr:csr is missing",
    });
  });

  it("99400 product not bi-directional", async () => {
    const { json } = await apply("orgId=yourOrgId&assetId=oneWayAssetId", { csr: rsaCsr });
    expect(json).toMatchObject({
      code: 99400,
      msg: "The product to which the device belongs to is not a product that supports bi-directional authorization.",
    });
  });

  it("99400 Call ca error! when the CA fails", async () => {
    f.sandbox.failCa(1, { code: 503, message: "CA busy", detail: "try later" });
    const { json } = await apply(ON_DEVICE, { csr: rsaCsr });
    expect(json).toMatchObject({
      code: 99400,
      msg: "Call ca error!: Certificate service err info:, code: 503, message: CA busy, detail message: try later",
    });
    expect(f.sandbox.certificatesOf("yourDeviceAssetId")).toHaveLength(0);
  });

  it("99400 Invalid cert request! for a CSR that breaks the issueAuthority rules or is garbage", async () => {
    const ecc = (await generateKeyAndCsr({ keyType: "ecc", commonName: "ecc.device.example" })).csr;
    const wrongType = await apply(ON_DEVICE, { csr: ecc, issueAuthority: "RSA" });
    expect(wrongType.json.code).toBe(99400);
    expect(String(wrongType.json.msg)).toMatch(/^Invalid cert request!message: .+, detail message: .*2048-bit RSA/);
    const garbage = await apply(ON_DEVICE, {
      csr: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
    });
    expect(String(garbage.json.msg)).toMatch(/^Invalid cert request!message: /);
  });

  it("99400 When calling Certificate Services, the call parameters are invalid (issueAuthority, validDay, orgId)", async () => {
    const prefix =
      /^When calling Certificate Services, the call parameters are invalid\.message: .+, detail message: .+/;
    expect(String((await apply(ON_DEVICE, { csr: rsaCsr, issueAuthority: "DSA" })).json.msg)).toMatch(prefix);
    expect(String((await apply(ON_DEVICE, { csr: rsaCsr, validDay: 0 })).json.msg)).toMatch(prefix);
    expect(String((await apply(ON_DEVICE, { csr: rsaCsr, validDay: 12.5 })).json.msg)).toMatch(prefix);
    expect(String((await apply("assetId=yourDeviceAssetId", { csr: rsaCsr })).json.msg)).toMatch(prefix);
  });

  it("issueAuthority is not case-sensitive", async () => {
    const csr = (await generateKeyAndCsr({ keyType: "ecc", commonName: "lowercase.device.example" })).csr;
    const { json } = await apply("orgId=yourOrgId&assetId=thirdAssetId", { csr, issueAuthority: "ecc" });
    expect(json).toMatchObject({ code: 0, data: { issueAuthority: "ECC" } });
  });

  it("11404 device cannot be found (unknown asset, unknown product/device key, other org)", async () => {
    expect((await apply("orgId=yourOrgId&assetId=nope", { csr: rsaCsr })).json).toMatchObject({
      code: 11404,
      msg: "Device cannot be found",
    });
    expect(
      (await apply("orgId=yourOrgId&productKey=yourProductKey&deviceKey=nope", { csr: rsaCsr })).json,
    ).toMatchObject({ code: 11404 });
    expect((await apply("orgId=otherOrg&assetId=yourDeviceAssetId", { csr: rsaCsr })).json).toMatchObject({
      code: 11404,
    });
  });

  it("11833 a key already certified for another device; 99400 duplicate subject for another device's subject", async () => {
    const first = await apply(ON_DEVICE, { csr: rsaCsr, validDay: 30 });
    expect(first.json.code).toBe(0);
    const sameKey = await apply(ON_SECOND, { csr: rsaCsr, validDay: 30 });
    expect(sameKey.json).toMatchObject({ code: 11833, msg: "Certificate is already bound to another device." });
    const sameName = (await generateKeyAndCsr({ keyType: "rsa", commonName: "errors.device.example" })).csr;
    const dup = await apply(ON_SECOND, { csr: sameName, validDay: 30 });
    expect(dup.json.code).toBe(99400);
    expect(String(dup.json.msg)).toMatch(/^Duplicate subject by certificate request!message: .+, detail message: .+/);
    expect(f.sandbox.certificatesOf("secondAssetId")).toHaveLength(0);
  });

  it("99400 Revoke cert is failed! for a certificate not valid on this device; revoke works once", async () => {
    const issued = f.sandbox.certificatesOf("yourDeviceAssetId").find((c) => c.certStatus === 0);
    expect(issued).toBeDefined();
    // certSn is an integer on the wire; a string is a bad call parameter
    const certSn = Number(issued?.certSN);
    const asString = await rawCall(f.sandbox, "POST", `${CERTS}?action=revoke&${ON_DEVICE}`, {
      certSn: String(certSn),
      reason: 1,
    });
    expect(String(asString.json.msg)).toMatch(
      /^When calling Certificate Services, the call parameters are invalid.message: certSn is invalid/,
    );
    const elsewhere = await rawCall(f.sandbox, "POST", `${CERTS}?action=revoke&${ON_SECOND}`, { certSn, reason: 1 });
    expect(String(elsewhere.json.msg)).toMatch(/^Revoke cert is failed!message: .+, detail message: .+/);
    const badReason = await rawCall(f.sandbox, "POST", `${CERTS}?action=revoke&${ON_DEVICE}`, { certSn, reason: 7 });
    expect(String(badReason.json.msg)).toMatch(/^When calling Certificate Services, the call parameters are invalid/);
    expect(
      (await rawCall(f.sandbox, "POST", `${CERTS}?action=revoke&${ON_DEVICE}`, { certSn, reason: 1 })).json,
    ).toMatchObject({ code: 0, data: null });
    const again = await rawCall(f.sandbox, "POST", `${CERTS}?action=revoke&${ON_DEVICE}`, { certSn, reason: 1 });
    expect(again.json.code).toBe(99400);
    expect(String(again.json.msg)).toMatch(/^Revoke cert is failed!message: certificate is already revoked/);
  });

  it("99400 Renew cert is failed! for a revoked certificate", async () => {
    const revoked = f.sandbox.certificatesOf("yourDeviceAssetId").find((c) => c.certStatus === 1);
    const { json } = await rawCall(f.sandbox, "POST", `${CERTS}?action=renew&${ON_DEVICE}`, {
      certSn: Number(revoked?.certSN),
    });
    expect(json.code).toBe(99400);
    expect(String(json.msg)).toMatch(/^Renew cert is failed!message: certificate is revoked, detail message: .+/);
  });

  it("99400 Query cert is failed! when the certificate store fails", async () => {
    f.sandbox.failQuery(1);
    const failed = await rawCall(f.sandbox, "GET", `${CERTS}?action=list&${ON_DEVICE}`);
    expect(failed.json.code).toBe(99400);
    expect(String(failed.json.msg)).toMatch(/^Query cert is failed!message: .+, detail message: .+/);
    const ok = await rawCall(f.sandbox, "GET", `${CERTS}?action=list&${ON_DEVICE}`);
    expect(ok.json).toMatchObject({ code: 0 });
    const list = ok.json.data as Array<Record<string, unknown>>;
    expect(list[0]).toEqual({
      certSN: expect.any(String),
      cert: expect.stringContaining("BEGIN CERTIFICATE"),
      certStatus: 1,
      issuer: expect.stringContaining("CN="),
      subject: "CN=errors.device.example",
      signDate: expect.any(Number),
      effetiveDate: expect.any(Number),
      expireDate: expect.any(Number),
      revoker: expect.any(String),
      revokerReason: "1",
    });
  });

  it.each([
    ["certificate", "Internal error of certificate service."],
    ["product", "Internal error of product service."],
    ["iot-hub", "Internal error of IoT Hub service."],
  ] as const)("99500 internal error of the %s service", async (service, msg) => {
    const csr = (await generateKeyAndCsr({ keyType: "rsa", commonName: `internal-${service}.device.example` })).csr;
    f.sandbox.failInternal(service, 1);
    expect((await apply("orgId=yourOrgId&assetId=thirdAssetId", { csr })).json).toMatchObject({ code: 99500, msg });
  });
});
