import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResellerIssuer, listResellerCertificates } from "../src/providers/reseller/index.js";
import { seedResellerCertificates, type ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { PLAN, resellerCtx, resellerWorld, rsaCsr } from "./support/reseller.js";

let sandbox: ResellerSandbox;
beforeAll(async () => {
  ({ sandbox } = await resellerWorld({ pollsUntilActive: 1 }));
});
afterAll(async () => {
  await sandbox.stop();
});

const settings = () => ({ endpoint: sandbox.url, plan: PLAN, dcvType: "DNS" as const });

describe("reseller issuer under faults", () => {
  it("DCV stuck: pending with the validation detail after a bounded wait", async () => {
    sandbox.dcvMode = "stuck";
    const { csr } = await rsaCsr("stuck.example.com");
    const issuer = createResellerIssuer(
      settings(),
      { ...sandbox.credentials },
      resellerCtx({ poll: { intervalMs: 10, maxWaitMs: 50 } }),
    );
    const outcome = await issuer.issue({ csr, commonName: "stuck.example.com", sans: [], reference: "ref-stuck" });
    sandbox.dcvMode = "auto";
    expect(outcome.state).toBe("pending");
    if (outcome.state !== "pending") return;
    expect(outcome.detail).toContain("stuck.example.com");
    expect(outcome.detail).toContain("validation token has not been found");
    expect(sandbox.faults.counts()["async-stall"]).toBeGreaterThan(0);
    const resumed = await issuer.resume(outcome.orderId, {
      csr,
      commonName: "stuck.example.com",
      sans: [],
      reference: "ref-stuck",
    });
    await issuer.close();
    expect(resumed.state).toBe("issued");
  });

  it("5xx and 429 on GETs are retried; a 503 on the create is looked up, not re-posted", async () => {
    const { csr } = await rsaCsr("flaky.example.com");
    sandbox.faults.add({ fault: { kind: "status", status: 503 }, method: "GET", path: "/ssl-certificate", times: 2 });
    sandbox.faults.add({
      fault: { kind: "status", status: 429, retryAfterSeconds: 0 },
      method: "GET",
      path: "/ssl-certificate/",
      times: 1,
    });
    const before = sandbox.purchases;
    const issuer = createResellerIssuer(settings(), { ...sandbox.credentials }, resellerCtx());
    const outcome = await issuer.issue({ csr, commonName: "flaky.example.com", sans: [], reference: "ref-flaky" });
    expect(outcome.state).toBe("issued");
    expect(sandbox.purchases - before).toBe(1);
    // 503 answered before processing: nothing bought, the lookup finds nothing, the error surfaces
    sandbox.faults.add({ fault: { kind: "status", status: 503 }, method: "POST", path: "/ssl-certificate", times: 1 });
    const posts = sandbox.count("POST /ssl-certificate");
    await expect(
      issuer.issue({ csr, commonName: "flaky.example.com", sans: [], reference: "ref-flaky-2" }),
    ).rejects.toMatchObject({ code: "HTTP_ERROR" });
    expect(sandbox.count("POST /ssl-certificate") - posts).toBe(1);
    expect(sandbox.purchases - before).toBe(1);
    await issuer.close();
  });

  it("maps 401, 404 and 400 to typed errors naming the fix", async () => {
    const { csr } = await rsaCsr("err.example.com");
    const bad = createResellerIssuer(settings(), { username: "someone", apiKey: "wrong-key-SECRET" }, resellerCtx());
    const auth = await bad
      .issue({ csr, commonName: "err.example.com", sans: [], reference: "ref-auth" })
      .catch((e: unknown) => e);
    await bad.close();
    expect(auth).toMatchObject({ code: "AUTH_FAILED" });
    expect(String((auth as Error).message)).toContain("check the user name and API key");
    expect(String((auth as Error).message)).not.toContain("wrong-key-SECRET");
    const issuer = createResellerIssuer(
      { ...settings(), certificateId: "missing" },
      { ...sandbox.credentials },
      resellerCtx(),
    );
    await expect(
      issuer.issue({ csr, commonName: "err.example.com", sans: [], reference: "ref-404" }),
    ).rejects.toMatchObject({ code: "VENDOR_NOT_FOUND" });
    await issuer.close();
    const wrongPlan = createResellerIssuer(
      { ...settings(), plan: "00000000-0000-0000-0000-000000000000" },
      { ...sandbox.credentials },
      resellerCtx(),
    );
    await expect(
      wrongPlan.issue({ csr, commonName: "err.example.com", sans: [], reference: "ref-plan" }),
    ).rejects.toMatchObject({ code: "VENDOR_REJECTED", field: "plan" });
    await wrongPlan.close();
  });

  it("lists a seeded fleet with expireIn", async () => {
    seedResellerCertificates(sandbox, 1200);
    let count = 0;
    let minDays = Infinity;
    let maxDays = -Infinity;
    for await (const c of listResellerCertificates(settings(), { ...sandbox.credentials }, resellerCtx())) {
      count += 1;
      if (c.expireIn !== undefined && c.id.startsWith("seed-")) {
        minDays = Math.min(minDays, c.expireIn);
        maxDays = Math.max(maxDays, c.expireIn);
      }
    }
    expect(count).toBe(sandbox.orderCount);
    expect(minDays).toBeGreaterThanOrEqual(0);
    expect(maxDays).toBeLessThanOrEqual(400);
    expect(sandbox.count("GET /ssl-certificate")).toBeGreaterThanOrEqual(3);
  });
});
