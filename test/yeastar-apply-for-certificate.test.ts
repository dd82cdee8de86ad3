import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applyForCertificate } from "../src/providers/yeastar/index.js";
import { isInputError } from "../src/errors.js";
import { API, rawCall, rawToken, startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

const CREATE = "POST /openapi/v1.0/certificate/create";
const QUERY = "GET /openapi/v1.0/certificate/query";

const alidns = { AccessKeyId: "AKIAEXAMPLE", AccessKeySecret: "apply-secret-value", PropagationTimeout: 300, TTL: 600 };

describe("applyForCertificate: the PBX obtains a certificate itself (asynchronously)", () => {
  let f: YeastarFixture;
  beforeAll(async () => {
    f = await startYeastarFixture({ applyPolls: 3 });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });
  beforeEach(() => {
    f.sandbox.resetStats();
    f.sandbox.faults.clear();
  });

  it("issuing -> issuance_success after a few polls; the issued certificate is in use", async () => {
    f.sandbox.applyOutcome = "success";
    const result = await applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx, {
      domain: "pbx.example.com",
      dnsProvider: "alidns",
      authInfo: alidns,
    });
    expect(result).toMatchObject({ name: "pbx.example.com.pem", status: "issued" });
    expect(result.detail).toMatch(/holds a certificate for pbx\.example\.com valid until /);
    expect(result.notAfter?.toISOString()).toBe(f.sandbox.inUse()?.notAfter?.toISOString());
    expect(f.sandbox.count(QUERY)).toBe(3);
    expect(f.sandbox.inUse()).toMatchObject({
      name: "pbx.example.com.pem",
      issueTo: "pbx.example.com",
      caType: "apply",
      applyStatus: "issuance_success",
    });
    expect(f.sandbox.tokens.validAccessTokens()).toBe(0);

    // a re-run finds the issued certificate instead of applying twice
    const again = await applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx, {
      domain: "pbx.example.com",
      dnsProvider: "alidns",
      authInfo: alidns,
    });
    expect(again).toMatchObject({ status: "issued", id: result.id });
    expect(f.sandbox.count(CREATE)).toBe(1);
  });

  it("issuance_fail -> failed with the tip code; query shows apply_tip_code and masks the secret", async () => {
    f.sandbox.applyOutcome = "fail";
    const result = await applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx, {
      domain: "fail.example.com",
      dnsProvider: "alidns",
      authInfo: alidns,
    });
    expect(result).toMatchObject({ name: "fail.example.com.pem", status: "failed" });
    expect(result.detail).toMatch(/\(1001\).*check the DNS provider credentials/);
    expect(result.detail).not.toContain("apply-secret-value");
    const token = await rawToken(f.sandbox);
    const q = await rawCall(f.sandbox, "GET", `${API}/certificate/query?access_token=${token}&ids=${result.id}`);
    const [detail] = q.json.certificate_list as Record<string, unknown>[];
    expect(detail).toMatchObject({ apply_status: "issuance_fail", apply_tip_code: 1001 });
    expect(JSON.stringify(q.json)).not.toContain("apply-secret-value");
    await rawCall(f.sandbox, "GET", `${API}/del_token?access_token=${token}`);
  });

  it("a failed application is cleared and applied for again on the next run", async () => {
    f.sandbox.applyOutcome = "success";
    const result = await applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx, {
      domain: "fail.example.com",
      dnsProvider: "alidns",
      authInfo: alidns,
    });
    expect(result.status).toBe("issued");
    expect(f.sandbox.count("GET /openapi/v1.0/certificate/delete")).toBe(1);
    expect(f.sandbox.count(CREATE)).toBe(1);
  });

  it("never completes -> pending within the bounded wait, and a re-run keeps polling the same application", async () => {
    // two server slots are taken; free one that is not in use
    const token = await rawToken(f.sandbox);
    const spare = f.sandbox.certificates("server").find((c) => c.id !== f.sandbox.inUse()?.id);
    await rawCall(f.sandbox, "GET", `${API}/certificate/delete?access_token=${token}&id=${String(spare?.id)}`);
    await rawCall(f.sandbox, "GET", `${API}/del_token?access_token=${token}`);
    f.sandbox.resetStats();

    f.sandbox.applyOutcome = "stall";
    const ctx = { ...f.ctx, poll: { intervalMs: 10, maxWaitMs: 50 } };
    const result = await applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, ctx, {
      domain: "stall.example.com",
      dnsProvider: "alidns",
      authInfo: alidns,
    });
    expect(result).toMatchObject({ name: "stall.example.com.pem", status: "pending" });
    expect(result.detail).toMatch(/still issuing .* run again later/);
    expect(f.sandbox.count(QUERY)).toBe(6); // bounded: maxWaitMs / intervalMs + 1
    expect(f.sandbox.stats().faults).toMatchObject({ "async-stall": 1 });

    const again = await applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, ctx, {
      domain: "stall.example.com",
      dnsProvider: "alidns",
      authInfo: alidns,
    });
    expect(again).toMatchObject({ status: "pending", id: result.id });
    expect(f.sandbox.count(CREATE)).toBe(1);
  });

  it("the 4th server certificate is refused as VENDOR_QUOTA before applying", async () => {
    f.sandbox.applyOutcome = "success";
    const cf = { CF_DNS_API_TOKEN: "cf-secret" };
    const third = await applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx, {
      domain: "third.example.com",
      dnsProvider: "cloudflare",
      authInfo: cf,
    });
    expect(third.status).toBe("issued");
    expect(f.sandbox.certificates("server")).toHaveLength(3);
    f.sandbox.resetStats();
    await expect(
      applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx, {
        domain: "fourth.example.com",
        dnsProvider: "cloudflare",
        authInfo: cf,
      }),
    ).rejects.toMatchObject({
      code: "VENDOR_QUOTA",
      message: expect.stringMatching(/already holds 3 server certificates/) as unknown,
    });
    expect(f.sandbox.count(CREATE)).toBe(0);
  });

  it("a missing or mistyped DNS parameter fails locally with a clear InputError before any request", async () => {
    const before = f.sandbox.requestCount;
    const missing: unknown = await applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx, {
      domain: "x.example.com",
      dnsProvider: "route53",
      authInfo: { AccessKeyId: "AKIAEXAMPLE", SecretAccessKey: "r53-secret" },
    }).catch((e: unknown) => e);
    expect(missing).toSatisfy(isInputError);
    expect(missing).toMatchObject({ code: "INPUT_MISSING", field: "authInfo.Region" });
    expect((missing as Error).message).toMatch(
      /route53 needs the complete parameter set AccessKeyId \+ SecretAccessKey \+ Region; missing Region/,
    );
    expect((missing as Error).message).not.toContain("r53-secret");

    await expect(
      applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx, {
        domain: "x.example.com",
        dnsProvider: "alidns",
        authInfo: { ...alidns, TTL: "600" },
      }),
    ).rejects.toMatchObject({ field: "authInfo.TTL", message: expect.stringMatching(/integer parameter/) as unknown });
    await expect(
      applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx, {
        domain: "x.example.com",
        dnsProvider: "nosuch",
        authInfo: alidns,
      }),
    ).rejects.toMatchObject({ code: "INPUT_INVALID", field: "dnsProvider" });
    await expect(
      applyForCertificate({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx, {
        domain: "not a domain",
        dnsProvider: "alidns",
        authInfo: alidns,
      }),
    ).rejects.toMatchObject({ code: "INPUT_INVALID", field: "domain" });
    expect(f.sandbox.requestCount).toBe(before);
  });
});
