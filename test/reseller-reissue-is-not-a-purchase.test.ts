import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResellerIssuer, reissueCertificate } from "../src/providers/reseller/index.js";
import type { ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { certFacts } from "../src/x509/index.js";
import { PLAN, resellerCtx, resellerWorld, rsaCsr } from "./support/reseller.js";

let sandbox: ResellerSandbox;
beforeAll(async () => {
  ({ sandbox } = await resellerWorld());
});
afterAll(async () => {
  await sandbox.stop();
});

describe("reseller reissue", () => {
  it("returns a certificate for the new key at once and charges nothing", async () => {
    const settings = { endpoint: sandbox.url, plan: PLAN, dcvType: "DNS" as const };
    const first = await rsaCsr("reissue.example.com");
    const issuer = createResellerIssuer(settings, { ...sandbox.credentials }, resellerCtx());
    const bought = await issuer.issue({
      csr: first.csr,
      commonName: "reissue.example.com",
      sans: [],
      reference: "ref-r0",
    });
    await issuer.close();
    if (bought.state !== "issued") throw new Error("expected issued");
    const purchases = sandbox.purchases;
    const next = await rsaCsr("reissue.example.com");
    const outcome = await reissueCertificate(
      { ...settings, certificateId: bought.orderId },
      { ...sandbox.credentials },
      { csr: next.csr, commonName: "reissue.example.com", sans: [], reference: "ref-r1" },
      resellerCtx(),
    );
    expect(outcome).toMatchObject({ state: "issued", orderId: bought.orderId });
    if (outcome.state !== "issued") return;
    expect(certFacts(outcome.certificate).serial).not.toBe(certFacts(bought.certificate).serial);
    expect(certFacts(outcome.certificate).notAfter.getTime()).toBe(certFacts(bought.certificate).notAfter.getTime());
    expect(sandbox.purchases).toBe(purchases);
  });

  it("without a certificate id it refuses before any request", async () => {
    const { csr } = await rsaCsr("x.example.com");
    const requests = sandbox.requestCount;
    await expect(
      reissueCertificate(
        { endpoint: sandbox.url },
        { ...sandbox.credentials },
        { csr, commonName: "x.example.com", sans: [], reference: "r" },
        resellerCtx(),
      ),
    ).rejects.toMatchObject({ code: "INPUT_MISSING", field: "certificateId" });
    expect(sandbox.requestCount).toBe(requests);
  });
});
