import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResellerIssuer, reissueCertificate } from "../src/providers/reseller/index.js";
import type { ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { certFacts } from "../src/x509/index.js";
import { resellerCtx, resellerWorld, rsaCsr } from "./support/reseller.js";

let sandbox: ResellerSandbox;
beforeAll(async () => {
  ({ sandbox } = await resellerWorld({ pollsUntilActive: 1 }));
});
afterAll(async () => {
  await sandbox.stop();
});

describe("reseller reissue whose answer is lost", () => {
  it("buys on the sandbox's default DV plan, then a dropped reissue is found by reference and a re-run does not reissue again", async () => {
    expect(sandbox.plans.find((p) => p.id === sandbox.defaultPlanId)?.validation).toBe("DV");
    const settings = { endpoint: sandbox.url, plan: sandbox.defaultPlanId, dcvType: "DNS" as const };
    const first = await rsaCsr("reissue-drop.example.com");
    const issuer = createResellerIssuer(settings, sandbox.credentials, resellerCtx());
    const bought = await issuer.issue({
      csr: first.csr,
      commonName: "reissue-drop.example.com",
      sans: [],
      reference: "ref-rd-0",
    });
    await issuer.close();
    if (bought.state !== "issued") throw new Error("expected issued");

    const next = await rsaCsr("reissue-drop.example.com");
    const request = {
      csr: next.csr,
      commonName: "reissue-drop.example.com",
      sans: [],
      reference: "ref-rd-1",
      previousOrderId: bought.orderId,
    };
    sandbox.dropResponseOnce("POST", `/ssl-certificate/${bought.orderId}/reissue`);
    const reissues = sandbox.count("POST /ssl-certificate/:id/reissue");
    const reissued = await reissueCertificate({ endpoint: sandbox.url }, sandbox.credentials, request, resellerCtx());
    const rerun = await reissueCertificate({ endpoint: sandbox.url }, sandbox.credentials, request, resellerCtx());

    expect(reissued).toMatchObject({ state: "issued", orderId: bought.orderId });
    if (reissued.state !== "issued" || rerun.state !== "issued") return;
    expect(certFacts(reissued.certificate).serial).not.toBe(certFacts(bought.certificate).serial);
    expect(rerun.certificate).toBe(reissued.certificate);
    expect(sandbox.count("POST /ssl-certificate/:id/reissue") - reissues).toBe(1);
    expect(sandbox.faults.counts().drop).toBe(1);
    expect(sandbox.purchases).toBe(1);
  });
});
