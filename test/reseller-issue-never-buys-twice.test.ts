import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResellerIssuer } from "../src/providers/reseller/index.js";
import type { ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { certFacts } from "../src/x509/index.js";
import { PLAN, issueAndWait, resellerCtx, resellerWorld, rsaCsr } from "./support/reseller.js";

let sandbox: ResellerSandbox;
beforeAll(async () => {
  ({ sandbox } = await resellerWorld({ pollsUntilActive: 2 }));
});
afterAll(async () => {
  await sandbox.stop();
});

const settings = () => ({ endpoint: sandbox.url, plan: PLAN, dcvType: "DNS" as const });

describe("reseller issuer: client_reference keeps money safe", () => {
  it("issues a certificate for the CSR's key and names", async () => {
    const { csr } = await rsaCsr("www.example.com");
    const issuer = createResellerIssuer(
      settings(),
      sandbox.credentials as unknown as Record<string, string>,
      resellerCtx(),
    );
    const before = sandbox.purchases;
    const outcome = await issueAndWait(issuer, {
      csr,
      commonName: "www.example.com",
      sans: ["www.example.com"],
      reference: "ref-happy",
    });
    await issuer.close();
    expect(outcome.state).toBe("issued");
    if (outcome.state !== "issued") return;
    expect(certFacts(outcome.certificate).commonName).toBe("www.example.com");
    expect(outcome.chain).toContain("BEGIN CERTIFICATE");
    expect(sandbox.purchases - before).toBe(1);
  });

  it("a create whose answer is dropped after processing is found by client_reference: one purchase", async () => {
    const { csr } = await rsaCsr("drop.example.com");
    sandbox.dropAfterProcessing({ method: "POST", path: /^\/ssl-certificate$/ });
    const before = sandbox.purchases;
    const posts = sandbox.count("POST /ssl-certificate");
    const issuer = createResellerIssuer(settings(), { ...sandbox.credentials }, resellerCtx());
    const outcome = await issueAndWait(issuer, {
      csr,
      commonName: "drop.example.com",
      sans: [],
      reference: "ref-drop",
    });
    await issuer.close();
    expect(outcome.state).toBe("issued");
    expect(sandbox.purchases - before).toBe(1);
    expect(sandbox.count("POST /ssl-certificate") - posts).toBe(1);
    expect(sandbox.faults.counts().drop).toBe(1);
  });

  it("a crash between create and poll, then a new issuer with the same reference: no second purchase", async () => {
    const { csr } = await rsaCsr("crash.example.com");
    sandbox.dcvMode = "stuck";
    const first = createResellerIssuer(
      settings(),
      { ...sandbox.credentials },
      resellerCtx({ poll: { intervalMs: 1, maxWaitMs: 1 } }),
    );
    const before = sandbox.purchases;
    const pending = await issueAndWait(
      first,
      { csr, commonName: "crash.example.com", sans: [], reference: "ref-crash" },
      resellerCtx({ poll: { intervalMs: 1, maxWaitMs: 1 } }),
    );
    await first.close();
    expect(pending.state).toBe("pending");
    sandbox.dcvMode = "auto";
    const second = createResellerIssuer(settings(), { ...sandbox.credentials }, resellerCtx());
    const posts = sandbox.count("POST /ssl-certificate");
    const outcome = await issueAndWait(second, {
      csr,
      commonName: "crash.example.com",
      sans: [],
      reference: "ref-crash",
    });
    await second.close();
    expect(outcome).toMatchObject({ state: "issued", orderId: pending.orderId });
    expect(sandbox.count("POST /ssl-certificate") - posts).toBe(0);
    expect(sandbox.purchases - before).toBe(1);
  });

  it("renew: dropped answer and a re-run with the same reference charge once", async () => {
    const { csr } = await rsaCsr("renew.example.com");
    const ctx = resellerCtx();
    const buy = createResellerIssuer(settings(), { ...sandbox.credentials }, ctx);
    const bought = await issueAndWait(buy, {
      csr,
      commonName: "renew.example.com",
      sans: [],
      reference: "ref-renew-0",
    });
    await buy.close();
    if (bought.state !== "issued") throw new Error("expected issued");
    const next = await rsaCsr("renew.example.com");
    sandbox.dropAfterProcessing({ method: "POST", path: /\/renew$/ });
    const before = sandbox.purchases;
    const renewer = createResellerIssuer(
      { ...settings(), certificateId: bought.orderId },
      { ...sandbox.credentials },
      ctx,
    );
    const renewed = await issueAndWait(renewer, {
      csr: next.csr,
      commonName: "renew.example.com",
      sans: [],
      reference: "ref-renew-1",
      previousOrderId: bought.orderId,
    });
    const again = await issueAndWait(renewer, {
      csr: next.csr,
      commonName: "renew.example.com",
      sans: [],
      reference: "ref-renew-1",
      previousOrderId: bought.orderId,
    });
    await renewer.close();
    expect(renewed).toMatchObject({ state: "issued", orderId: bought.orderId });
    if (renewed.state !== "issued" || again.state !== "issued") return;
    expect(certFacts(renewed.certificate).serial).not.toBe(certFacts(bought.certificate).serial);
    expect(again.certificate).toBe(renewed.certificate);
    expect(sandbox.purchases - before).toBe(1);
  });

  it("without a plan, issue refuses before any request", async () => {
    const { csr } = await rsaCsr("noplan.example.com");
    const requests = sandbox.requestCount;
    const issuer = createResellerIssuer({ endpoint: sandbox.url }, { ...sandbox.credentials }, resellerCtx());
    await expect(
      issuer.issue({ csr, commonName: "noplan.example.com", sans: [], reference: "ref-noplan" }),
    ).rejects.toMatchObject({ code: "INPUT_MISSING", field: "plan" });
    await issuer.close();
    expect(sandbox.requestCount).toBe(requests);
  });
});
