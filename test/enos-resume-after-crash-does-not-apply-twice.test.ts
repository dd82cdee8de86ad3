import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnosIssuer } from "../src/providers/enos/index.js";
import type { IssueRequest } from "../src/model.js";
import { generateKeyAndCsr, parseBundle } from "../src/x509/index.js";
import { startEnosFixture, type EnosFixture } from "./support/enos.js";

describe("EnOS issuer after a crash: the certificate applied for earlier is found, never applied for twice", () => {
  let f: EnosFixture;
  let request: IssueRequest;
  let privateKey: string;
  let firstOrder: string;
  const settings = () => ({ endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId" });

  beforeAll(async () => {
    f = await startEnosFixture();
    const generated = await generateKeyAndCsr({ keyType: "rsa", commonName: "crash.device.example" });
    privateKey = generated.privateKey;
    request = { csr: generated.csr, commonName: "crash.device.example", sans: [], reference: "certrelay:crash:" };
    // the run that crashed: it applied, then died before storing the answer
    const crashed = createEnosIssuer(settings(), f.sandbox.credentials, f.ctx);
    const outcome = await crashed.issue(request);
    firstOrder = outcome.orderId;
    await crashed.close();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("resume(orderId) in a new process returns the issued certificate with its chain, without a second apply", async () => {
    const issuer = createEnosIssuer(settings(), f.sandbox.credentials, f.ctx);
    try {
      const outcome = await issuer.resume(firstOrder, request);
      expect(outcome).toMatchObject({ state: "issued", orderId: firstOrder });
      if (outcome.state !== "issued") throw new Error("expected issued");
      const bundle = parseBundle(
        { certificate: outcome.certificate, privateKey, chain: outcome.chain },
        { now: f.clock.now(), allowReorder: true, requireKey: true },
      );
      expect(bundle.chain.length).toBeGreaterThan(0);
      expect(f.sandbox.actionCount("apply")).toBe(1);
    } finally {
      await issuer.close();
    }
  });

  it("issue() again with the same pending CSR (crash before the order id was stored) finds it too", async () => {
    const issuer = createEnosIssuer(settings(), f.sandbox.credentials, f.ctx);
    try {
      const outcome = await issuer.issue(request);
      expect(outcome).toMatchObject({ state: "issued", orderId: firstOrder });
      expect(f.sandbox.actionCount("apply")).toBe(1);
      expect(f.sandbox.certificatesOf("yourDeviceAssetId")).toHaveLength(1);
    } finally {
      await issuer.close();
    }
  });

  it("resume for a CSR that was never applied for applies once", async () => {
    const issuer = createEnosIssuer(settings(), f.sandbox.credentials, f.ctx);
    try {
      const fresh = await generateKeyAndCsr({ keyType: "rsa", commonName: "crash.device.example" });
      const outcome = await issuer.resume("99999", { ...request, csr: fresh.csr });
      expect(outcome.state).toBe("issued");
      expect(f.sandbox.actionCount("apply")).toBe(2);
    } finally {
      await issuer.close();
    }
  });
});
