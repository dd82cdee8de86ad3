/**
 * client_reference is only a look-up filter: an order placed with this CSR's key under another reference (a renew
 * that kept the create's reference, a run whose reference changed) is found among the open orders by the CSR's
 * public key before any purchase, and collected instead of bought again. The sandbox charges every POST.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResellerIssuer } from "../src/providers/reseller/index.js";
import type { ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { certFacts } from "../src/x509/index.js";
import { basic, PLAN, issueAndWait, resellerCtx, resellerWorld, rsaCsr } from "./support/reseller.js";

let sandbox: ResellerSandbox;
beforeAll(async () => {
  ({ sandbox } = await resellerWorld({ pollsUntilActive: 2 }));
});
afterAll(async () => {
  await sandbox.stop();
});

describe("reseller: an open order for this key is found whatever its reference", () => {
  it("collects the pending order placed with the same key under another reference: no second purchase", async () => {
    const { csr } = await rsaCsr("key.example.com");
    // what an earlier run bought: same CSR, a reference this run does not know
    const placed = await fetch(`${sandbox.url}/ssl-certificate`, {
      method: "POST",
      headers: basic(sandbox),
      body: JSON.stringify({ csr, dcv_type: "DNS", plan: PLAN, client_reference: "earlier-run" }),
    });
    const order = (await placed.json()) as { id: string };
    expect(sandbox.purchases).toBe(1);
    const issuer = createResellerIssuer(
      { endpoint: sandbox.url, plan: PLAN, dcvType: "DNS" },
      { ...sandbox.credentials },
      resellerCtx(),
    );
    const outcome = await issueAndWait(issuer, {
      csr,
      commonName: "key.example.com",
      sans: ["key.example.com"],
      reference: "this-run",
    });
    await issuer.close();
    expect(outcome).toMatchObject({ state: "issued", orderId: order.id });
    expect(sandbox.purchases).toBe(1);
    if (outcome.state === "issued") expect(certFacts(outcome.certificate).commonName).toBe("key.example.com");
  });

  it("an open order for the same names but another key is not ours: this run buys its own", async () => {
    const other = await rsaCsr("names.example.com");
    await fetch(`${sandbox.url}/ssl-certificate`, {
      method: "POST",
      headers: basic(sandbox),
      body: JSON.stringify({ csr: other.csr, dcv_type: "DNS", plan: PLAN, client_reference: "someone-else" }),
    });
    const before = sandbox.purchases;
    const mine = await rsaCsr("names.example.com");
    const issuer = createResellerIssuer(
      { endpoint: sandbox.url, plan: PLAN, dcvType: "DNS" },
      { ...sandbox.credentials },
      resellerCtx(),
    );
    const outcome = await issueAndWait(issuer, {
      csr: mine.csr,
      commonName: "names.example.com",
      sans: ["names.example.com"],
      reference: "mine",
    });
    await issuer.close();
    expect(outcome.state).toBe("issued");
    expect(sandbox.purchases - before).toBe(1);
  });
});
