import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HttpStatusError } from "../src/http/index.js";
import { createEnosIssuer, createEnosTarget } from "../src/providers/enos/index.js";
import type { DeployedCertificate, Target } from "../src/model.js";
import { generateKeyAndCsr } from "../src/x509/index.js";
import { startEnosFixture, type EnosFixture } from "./support/enos.js";

async function collect(target: Target): Promise<DeployedCertificate[]> {
  const out: DeployedCertificate[] = [];
  for await (const c of target.list()) out.push(c);
  return out;
}

describe("EnOS reads survive 5xx, 429 and drops; writes are never repeated blindly", () => {
  let f: EnosFixture;
  let serial: string;
  const LIST = "GET /connect-service/v2.0/certificates";
  const settings = () => ({ endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId" });

  beforeAll(async () => {
    f = await startEnosFixture();
    const issuer = createEnosIssuer(settings(), f.sandbox.credentials, f.ctx);
    const { csr } = await generateKeyAndCsr({ keyType: "rsa", commonName: "faults.device.example" });
    const outcome = await issuer.issue({ csr, commonName: "faults.device.example", sans: [], reference: "f" });
    await issuer.close();
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    serial = (await collect(target))[0]?.serial ?? "";
    await target.close();
    expect(outcome.state).toBe("issued");
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });
  beforeEach(() => {
    f.sandbox.faults.clear();
    f.sandbox.resetStats();
  });

  it("retries a 503 on the list", async () => {
    f.sandbox.faults.add({ fault: { kind: "status", status: 503 }, method: "GET", path: "/connect-service", times: 2 });
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    try {
      expect((await collect(target)).map((c) => c.serial)).toEqual([serial]);
      expect(f.sandbox.count(LIST)).toBe(3);
    } finally {
      await target.close();
    }
  });

  it("retries a 429 with Retry-After on the list", async () => {
    f.sandbox.faults.add({
      fault: { kind: "status", status: 429, retryAfterSeconds: 0 },
      method: "GET",
      path: "/connect-service",
      times: 1,
    });
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    try {
      expect((await target.verify(serial)).ok).toBe(true);
      expect(f.sandbox.count(LIST)).toBe(2);
    } finally {
      await target.close();
    }
  });

  it("retries a dropped connection on the list", async () => {
    f.sandbox.faults.add({ fault: { kind: "drop" }, method: "GET", path: "/connect-service", times: 1 });
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    try {
      expect((await collect(target)).map((c) => c.serial)).toEqual([serial]);
      expect(f.sandbox.count(LIST)).toBe(2);
    } finally {
      await target.close();
    }
  });

  it("gives up with a clear status error when the list keeps failing", async () => {
    f.sandbox.faults.add({
      fault: { kind: "status", status: 500 },
      method: "GET",
      path: "/connect-service",
      times: Infinity,
    });
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    try {
      const error = await collect(target).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpStatusError);
      expect(error).toMatchObject({ vendor: "enos", status: 500 });
      expect(String((error as Error).message)).toMatch(/gave up after 4 attempts/);
      expect(f.sandbox.count(LIST)).toBe(4);
    } finally {
      await target.close();
    }
  });

  it("does not resend an apply that met a 503; the next run finds nothing issued and applies once", async () => {
    f.sandbox.faults.add({
      fault: { kind: "status", status: 503 },
      method: "POST",
      path: "/connect-service",
      times: 1,
    });
    const appliesBefore = f.sandbox.actionCount("apply");
    const issuer = createEnosIssuer({ ...settings(), assetId: "yourDeviceAssetId" }, f.sandbox.credentials, f.ctx);
    try {
      const { csr } = await generateKeyAndCsr({ keyType: "rsa", commonName: "faults.device.example" });
      const req = { csr, commonName: "faults.device.example", sans: [], reference: "g" };
      await expect(issuer.issue(req)).rejects.toMatchObject({ status: 503, vendor: "enos" });
      expect(f.sandbox.count("POST /connect-service/v2.0/certificates")).toBe(1);
      const outcome = await issuer.issue(req);
      expect(outcome.state).toBe("issued");
      expect(f.sandbox.actionCount("apply")).toBe(appliesBefore + 1);
      expect(f.sandbox.count("POST /connect-service/v2.0/certificates")).toBe(2);
    } finally {
      await issuer.close();
    }
  });
});
