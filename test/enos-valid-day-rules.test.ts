import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isInputError } from "../src/errors.js";
import { createEnosIssuer } from "../src/providers/enos/index.js";
import type { EnosSettings } from "../src/providers/enos/index.js";
import { DAY_MS } from "../src/model.js";
import { generateKeyAndCsr } from "../src/x509/index.js";
import { startEnosFixture, type EnosFixture } from "./support/enos.js";

async function issueFor(
  f: EnosFixture,
  assetId: string,
  validDays?: number,
  settings: Partial<EnosSettings> = {},
): Promise<X509Certificate> {
  const issuer = createEnosIssuer(
    { endpoint: f.sandbox.url, orgId: "yourOrgId", assetId, ...settings },
    f.sandbox.credentials,
    f.ctx,
  );
  try {
    const commonName = `${assetId}.device.example`;
    const { csr } = await generateKeyAndCsr({ keyType: "rsa", commonName });
    const outcome = await issuer.issue({
      csr,
      commonName,
      sans: [],
      reference: assetId,
      ...(validDays === undefined ? {} : { validDays }),
    });
    if (outcome.state !== "issued") throw new Error("expected issued");
    return new X509Certificate(outcome.certificate);
  } finally {
    await issuer.close();
  }
}

const lifetime = (cert: X509Certificate): number =>
  (new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()) / DAY_MS;

describe("EnOS validDay rules", () => {
  let f: EnosFixture;
  beforeAll(async () => {
    f = await startEnosFixture();
    f.sandbox.addProduct({ productKey: "shortProduct", maxValidDay: 90, biDirectional: true });
    for (const id of ["a", "b", "c", "d", "e"])
      f.sandbox.addDevice({
        assetId: id,
        productKey: id === "d" || id === "e" ? "shortProduct" : "yourProductKey",
        deviceKey: id,
      });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("uses 730 days when validDay is not given", async () => {
    expect(lifetime(await issueFor(f, "a"))).toBe(730);
  });

  it("uses the requested validDay (from the request, else from settings)", async () => {
    expect(lifetime(await issueFor(f, "b", 250))).toBe(250);
    expect(lifetime(await issueFor(f, "c", undefined, { validDays: 100 }))).toBe(100);
  });

  it("accepts exactly the product maximum and refuses one more day as an InputError naming validDays", async () => {
    expect(lifetime(await issueFor(f, "d", 90))).toBe(90);
    const error = await issueFor(f, "e", 91).catch((e: unknown) => e);
    expect(error).toSatisfy(isInputError);
    expect(error).toMatchObject({ code: "INPUT_INVALID", field: "validDays", vendor: "enos" });
    expect(String((error as Error).message)).toMatch(/maximum certificate validity/);
    expect(f.sandbox.certificatesOf("e")).toHaveLength(0);
  });

  it("refuses a validDays that is not a positive whole number before any request", async () => {
    const before = f.sandbox.requestCount;
    await expect(issueFor(f, "e", 0)).rejects.toMatchObject({ code: "INPUT_INVALID", field: "validDays" });
    await expect(issueFor(f, "e", 1.5)).rejects.toMatchObject({ code: "INPUT_INVALID", field: "validDays" });
    expect(() =>
      createEnosIssuer(
        { endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "e", validDays: -3 },
        f.sandbox.credentials,
        f.ctx,
      ),
    ).toThrow(expect.objectContaining({ kind: "input" }));
    expect(f.sandbox.requestCount).toBe(before);
  });
});

describe("EnOS validDay is cut to the root CA's remaining life", () => {
  let f: EnosFixture;
  beforeAll(async () => {
    f = await startEnosFixture({ rootDays: 400 });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("a 730-day request ends when the root CA ends", async () => {
    const cert = await issueFor(f, "yourDeviceAssetId");
    expect(new Date(cert.validTo).getTime()).toBe(f.ca.rootNotAfter.getTime());
    expect(Math.round(lifetime(cert))).toBe(400);
  });
});
