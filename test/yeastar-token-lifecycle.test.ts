import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createYeastarTarget } from "../src/providers/yeastar/index.js";
import type { DeployedCertificate, Target } from "../src/model.js";
import { API, callWithoutUserAgent, rawCall, startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

const GET_TOKEN = "POST /openapi/v1.0/get_token";
const REFRESH = "POST /openapi/v1.0/refresh_token";
const DEL_TOKEN = "GET /openapi/v1.0/del_token";
const LIST = "GET /openapi/v1.0/certificate/list";

async function collect(target: Target): Promise<DeployedCertificate[]> {
  const out: DeployedCertificate[] = [];
  for await (const c of target.list()) out.push(c);
  return out;
}

describe("OpenAPI tokens: one per run, refreshed, revoked, within the budget of 8", () => {
  let f: YeastarFixture;
  beforeAll(async () => {
    f = await startYeastarFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });
  beforeEach(() => {
    f.sandbox.resetStats();
  });

  it("answers get_token with the documented fields and lifetimes", async () => {
    const res = await rawCall(f.sandbox, "POST", `${API}/get_token`, f.sandbox.credentials);
    expect(res.json).toMatchObject({
      errcode: 0,
      errmsg: "SUCCESS",
      access_token_expire_time: 1800,
      refresh_token_expire_time: 86400,
    });
    expect(String(res.json.access_token)).toMatch(/^[\w-]{32}$/);
    const del = await rawCall(f.sandbox, "GET", `${API}/del_token?access_token=${String(res.json.access_token)}`);
    expect(del.json).toEqual({ errcode: 0, errmsg: "SUCCESS" });
    const after = await rawCall(
      f.sandbox,
      "GET",
      `${API}/certificate/list?access_token=${String(res.json.access_token)}`,
    );
    expect(after.json).toMatchObject({ errcode: 10004, errmsg: "FAILURE" });
  });

  it("refuses any request without a User-Agent", async () => {
    const token = await callWithoutUserAgent(f.sandbox, "POST", `${API}/get_token`, f.sandbox.credentials);
    expect(token).toMatchObject({ status: 200, json: { errcode: 10005, errmsg: "FAILURE", param: "User-Agent" } });
    const list = await callWithoutUserAgent(f.sandbox, "GET", `${API}/certificate/list?access_token=whatever`);
    expect(list.json).toMatchObject({ errcode: 10005, param: "User-Agent" });
    expect(f.sandbox.missingUserAgent).toBe(2);
  });

  it("the provider sends its User-Agent on every call and refuses an empty one before any request", async () => {
    const target = createYeastarTarget(
      { endpoint: f.sandbox.url, userAgent: "certrelay-test" },
      f.sandbox.credentials,
      f.ctx,
    );
    await collect(target);
    await target.close();
    expect(f.sandbox.missingUserAgent).toBe(2);
    expect(() =>
      createYeastarTarget({ endpoint: f.sandbox.url, userAgent: " " }, f.sandbox.credentials, f.ctx),
    ).toThrow(/userAgent must not be empty/);
  });

  it("a whole deploy (list, upload, create, list, verify, list) takes one token and revokes it on close", async () => {
    const material = await f.ca.issue({ commonName: "pbx.example.com" });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    const result = await target.deploy(material);
    await target.verify(result.serial);
    await collect(target);
    expect(f.sandbox.count(GET_TOKEN)).toBe(1);
    expect(f.sandbox.tokens.validAccessTokens()).toBe(1);
    await target.close();
    await target.close();
    expect(f.sandbox.count(DEL_TOKEN)).toBe(1);
    expect(f.sandbox.tokens.validAccessTokens()).toBe(0);
  });

  it("refreshes shortly before the access token expires (clock), not after", async () => {
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    await collect(target);
    f.clock.advance(20 * 60_000);
    await collect(target);
    expect(f.sandbox.count(REFRESH)).toBe(0);
    f.clock.advance(9 * 60_000); // 29 minutes: inside the refresh margin
    await collect(target);
    expect(f.sandbox.count(REFRESH)).toBe(1);
    expect(f.sandbox.count(GET_TOKEN)).toBe(1);
    await target.close();
    expect(f.sandbox.tokens.validAccessTokens()).toBe(0);
  });

  it("on 10004 refreshes once and repeats the call", async () => {
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    await collect(target);
    expect(f.sandbox.expireTokens()).toBe(1);
    await collect(target);
    expect(f.sandbox.count(REFRESH)).toBe(1);
    expect(f.sandbox.count(LIST)).toBe(3); // first list, refused list, repeated list
    expect(f.sandbox.stats().faults).toMatchObject({ "token-expiry": 1 });
    await target.close();
  });

  it("logs in again when the PBX refuses the refresh token too", async () => {
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    await collect(target);
    expect(f.sandbox.revokeTokens()).toBe(1);
    await collect(target);
    expect(f.sandbox.count(REFRESH)).toBe(1);
    expect(f.sandbox.count(GET_TOKEN)).toBe(2);
    await target.close();
    expect(f.sandbox.tokens.validAccessTokens()).toBe(0);
  });

  it("logs in again when the refresh token has expired too", async () => {
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    await collect(target);
    f.clock.advance(25 * 3_600_000);
    await collect(target);
    expect(f.sandbox.count(GET_TOKEN)).toBe(2);
    expect(f.sandbox.count(REFRESH)).toBe(0);
    await target.close();
  });

  it("the 9th valid token is refused; the provider says how to fix it; a revoked one frees a slot", async () => {
    const held: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await rawCall(f.sandbox, "POST", `${API}/get_token`, f.sandbox.credentials);
      expect(res.json.errcode).toBe(0);
      held.push(String(res.json.access_token));
    }
    const ninth = await rawCall(f.sandbox, "POST", `${API}/get_token`, f.sandbox.credentials);
    expect(ninth.json).toMatchObject({ errcode: 60002, errmsg: "FAILURE" });

    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    const error: unknown = await collect(target).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "VENDOR_QUOTA", vendor: "yeastar" });
    expect((error as Error).message).toMatch(
      /maximum of valid access tokens \(8\); revoke unused tokens \(del_token\) or wait/,
    );
    await target.close();

    await rawCall(f.sandbox, "GET", `${API}/del_token?access_token=${held.pop() ?? ""}`);
    const retry = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    await collect(retry);
    await retry.close();
    for (const t of held) await rawCall(f.sandbox, "GET", `${API}/del_token?access_token=${t}`);
    expect(f.sandbox.tokens.validAccessTokens()).toBe(0);
  });

  it("no token or password appears in an error message", async () => {
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    await collect(target);
    f.sandbox.faults.add({
      fault: { kind: "status", status: 500 },
      method: "GET",
      path: `${API}/certificate/list`,
      times: Infinity,
    });
    const error: unknown = await collect(target).catch((e: unknown) => e);
    f.sandbox.faults.clear();
    expect(error).toMatchObject({ vendor: "yeastar", status: 500 });
    const message = (error as Error).message;
    expect(message).toContain("/openapi/v1.0/certificate/list");
    expect(message).not.toContain(f.sandbox.credentials.password);
    expect(message).not.toMatch(/access_token=[\w-]{32}/);
    await target.close();
  });
});
