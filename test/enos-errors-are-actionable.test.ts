import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isInputError, isVendorError } from "../src/errors.js";
import { enosCodeError } from "../src/providers/enos/errors.js";
import { createEnosIssuer, createEnosTarget, type EnosSettings } from "../src/providers/enos/index.js";
import { EnosMessages } from "../src/sandbox/enos/server.js";
import { generateKeyAndCsr } from "../src/x509/index.js";
import { startEnosFixture, type EnosFixture } from "./support/enos.js";

describe("EnOS codes map to certrelay errors that say what to do", () => {
  // `field` is what the user types to fix it; a certificate serial EnOS assigned (certSn) is not, so none is named
  it.each([
    [99400, EnosMessages.validityExceeds, isInputError, "INPUT_INVALID", "validDays", /lower validDays/],
    [
      99400,
      EnosMessages.deviceIdentifierInvalid,
      isInputError,
      "CONFIG_INVALID",
      "assetId",
      /assetId, or with productKey and deviceKey/,
    ],
    [99400, EnosMessages.csrMissing, isInputError, "CSR_INVALID", "csr", /include a PEM certificate signing request/],
    [99400, EnosMessages.notBiDirectional, isVendorError, "VENDOR_REJECTED", "productKey", /bi-directional/],
    [
      99400,
      EnosMessages.callCaError(500, "m", "d"),
      isVendorError,
      "ISSUANCE_FAILED",
      undefined,
      /certificate authority failed/,
    ],
    [99400, EnosMessages.invalidCertRequest("m", "d"), isInputError, "CSR_INVALID", "csr", /RSA-2048 CSR/],
    [
      99400,
      EnosMessages.duplicateSubject("m", "d"),
      isVendorError,
      "VENDOR_REJECTED",
      "commonName",
      /common name unique to this device/,
    ],
    [
      99400,
      EnosMessages.revokeFailed("m", "d"),
      isVendorError,
      "VENDOR_REJECTED",
      undefined,
      /only a valid certificate bound to this device can be revoked/,
    ],
    [
      99400,
      EnosMessages.renewFailed("m", "d"),
      isVendorError,
      "VENDOR_REJECTED",
      undefined,
      /apply for a new certificate instead/,
    ],
    [
      99400,
      EnosMessages.queryFailed("m", "d"),
      isVendorError,
      "VENDOR_ERROR",
      undefined,
      /could not read the device's certificates/,
    ],
    [
      99400,
      EnosMessages.invalidCallParameters("m", "d"),
      isInputError,
      "INPUT_INVALID",
      undefined,
      /check orgId, validDays/,
    ],
    [11404, EnosMessages.deviceNotFound, isVendorError, "VENDOR_NOT_FOUND", "assetId", /exists and is registered/],
    [11833, EnosMessages.boundToAnotherDevice, isVendorError, "VENDOR_REJECTED", "csr", /replace the CSR/],
    [99500, EnosMessages.internal("certificate"), isVendorError, "VENDOR_ERROR", undefined, /EnOS administrator/],
    [99500, EnosMessages.internal("product"), isVendorError, "VENDOR_ERROR", undefined, /EnOS administrator/],
    [99500, EnosMessages.internal("iot-hub"), isVendorError, "VENDOR_ERROR", undefined, /EnOS administrator/],
  ] as const)("%i %s", (code, msg, type, ourCode, field, fix) => {
    const error = enosCodeError(code, msg, "certificate apply");
    expect(error).toSatisfy(type);
    expect(error).toMatchObject({ code: ourCode, vendor: "enos" });
    expect(error.field).toBe(field);
    expect(error.message).toContain(`(${code}: ${msg})`);
    expect(error.message).toMatch(fix);
  });
});

describe("EnOS refusals reach the user through the issuer and target", () => {
  let f: EnosFixture;
  const issuerFor = (settings: Partial<EnosSettings> = {}) =>
    createEnosIssuer(
      { endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId", ...settings },
      f.sandbox.credentials,
      f.ctx,
    );
  const request = async (commonName: string) => ({
    csr: (await generateKeyAndCsr({ keyType: "rsa", commonName })).csr,
    commonName,
    sans: [],
    reference: commonName,
  });

  beforeAll(async () => {
    f = await startEnosFixture();
    f.sandbox.addDevice({ assetId: "otherAssetId", productKey: "yourProductKey", deviceKey: "otherDevice" });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("99500 is surfaced as a vendor error naming the failing service and the administrator, with nothing issued", async () => {
    f.sandbox.failInternal("certificate", 1, "apply");
    const issuer = issuerFor();
    try {
      const error = await issuer.issue(await request("internal.device.example")).catch((e: unknown) => e);
      expect(error).toSatisfy(isVendorError);
      expect(error).toMatchObject({ code: "VENDOR_ERROR", vendorCode: "99500", vendor: "enos" });
      expect(String((error as Error).message)).toBe(
        "EnOS refused the certificate apply (99500: Internal error of certificate service.): an EnOS internal service failed; nothing was issued. Retry later, and refer to your EnOS administrator if it persists",
      );
      expect(f.sandbox.certificatesOf("yourDeviceAssetId")).toHaveLength(0);
    } finally {
      await issuer.close();
    }
  });

  it("11404 for an unknown device names assetId", async () => {
    const issuer = issuerFor({ assetId: "missingAssetId" });
    try {
      await expect(issuer.issue(await request("missing.device.example"))).rejects.toMatchObject({
        code: "VENDOR_NOT_FOUND",
        vendorCode: "11404",
        field: "assetId",
      });
    } finally {
      await issuer.close();
    }
  });

  it("a product without bi-directional authentication names productKey", async () => {
    const issuer = issuerFor({ assetId: "oneWayAssetId" });
    try {
      await expect(issuer.issue(await request("oneway.device.example"))).rejects.toMatchObject({
        code: "VENDOR_REJECTED",
        field: "productKey",
      });
    } finally {
      await issuer.close();
    }
  });

  it("a CA failure is ISSUANCE_FAILED; the same request then succeeds", async () => {
    f.sandbox.failCa(1);
    const issuer = issuerFor();
    try {
      const req = await request("ca.device.example");
      await expect(issuer.issue(req)).rejects.toMatchObject({ code: "ISSUANCE_FAILED", vendorCode: "99400" });
      expect((await issuer.issue(req)).state).toBe("issued");
    } finally {
      await issuer.close();
    }
  });

  it("another device's key (11833) and subject (duplicate subject) are refused with the field to change", async () => {
    const mine = f.sandbox.certificatesOf("yourDeviceAssetId").find((c) => c.certStatus === 0);
    const issuer = issuerFor({ assetId: "otherAssetId" });
    try {
      const reused = { csr: mine?.csr ?? "", commonName: "x", sans: [], reference: "x" };
      await expect(issuer.issue(reused)).rejects.toMatchObject({
        code: "VENDOR_REJECTED",
        vendorCode: "11833",
        field: "csr",
      });
      await expect(issuer.issue(await request("ca.device.example"))).rejects.toMatchObject({
        code: "VENDOR_REJECTED",
        field: "commonName",
      });
    } finally {
      await issuer.close();
    }
  });

  it("a failed certificate query is a vendor error from the target's list", async () => {
    f.sandbox.failQuery(1);
    const target = createEnosTarget(
      { endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId" },
      f.sandbox.credentials,
      f.ctx,
    );
    try {
      await expect(target.verify("01")).rejects.toMatchObject({ code: "VENDOR_ERROR", vendorCode: "99400" });
    } finally {
      await target.close();
    }
  });
});
