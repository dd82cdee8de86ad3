import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createYeastarTarget } from "../src/providers/yeastar/index.js";
import { isAuthError } from "../src/errors.js";
import type { Target } from "../src/model.js";
import { API, rawCall, startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

async function drain(target: Target): Promise<void> {
  for await (const c of target.list()) void c;
}

describe("refused credentials: access denied, then account IP blocked", () => {
  let f: YeastarFixture;
  beforeAll(async () => {
    f = await startYeastarFixture({ blockAfterFailedLogins: 3 });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("a wrong Client Secret is AUTH_FAILED naming the fix, without the secret", async () => {
    const target = createYeastarTarget(
      { endpoint: f.sandbox.url },
      { username: f.sandbox.credentials.username, password: "wrong-secret-123" },
      f.ctx,
    );
    const error: unknown = await drain(target).catch((e: unknown) => e);
    await target.close();
    expect(error).toSatisfy(isAuthError);
    expect(error).toMatchObject({ code: "AUTH_FAILED", vendor: "yeastar", field: "username" });
    expect((error as Error).message).toMatch(
      /access denied; check the Client ID \(username\) and Client Secret \(password\)/,
    );
    expect((error as Error).message).not.toContain("wrong-secret-123");
  });

  it("a request without access_token is access denied; a made-up token is expired", async () => {
    expect((await rawCall(f.sandbox, "GET", `${API}/certificate/list`)).json).toMatchObject({
      errcode: 10005,
      param: "access_token",
    });
    expect((await rawCall(f.sandbox, "GET", `${API}/certificate/list?access_token=nope`)).json).toMatchObject({
      errcode: 10004,
    });
  });

  it("after repeated failures the PBX blocks the caller: 70004 -> AUTH_FAILED 'account IP blocked'", async () => {
    for (let i = 0; i < 2; i++) await rawCall(f.sandbox, "POST", `${API}/get_token`, { username: "x", password: "y" });
    const blocked = await rawCall(f.sandbox, "POST", `${API}/get_token`, f.sandbox.credentials);
    expect(blocked.json).toEqual({ errcode: 70004, errmsg: "FAILURE" });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    await expect(drain(target)).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.stringMatching(/account IP blocked.*unblock this IP/) as unknown,
    });
    await target.close();
  });

  it("missing credentials fail before any request", () => {
    const before = f.sandbox.requestCount;
    expect(() => createYeastarTarget({ endpoint: f.sandbox.url }, { username: "id" }, f.ctx)).toThrow(
      /yeastar credentials need password \(the PBX API Client Secret\)/,
    );
    expect(f.sandbox.requestCount).toBe(before);
  });
});
