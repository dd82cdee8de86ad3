import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAuthError } from "../src/errors.js";
import { createEnosTarget } from "../src/providers/enos/index.js";
import { CERTS, DEVICE_QUERY, accessToken, rawCall, startEnosFixture, type EnosFixture } from "./support/enos.js";

describe("EnOS gateway refuses requests whose signature does not hold", () => {
  let f: EnosFixture;
  const LIST = `${CERTS}?action=list&${DEVICE_QUERY}`;
  const REVOKE = `${CERTS}?action=revoke&${DEVICE_QUERY}`;
  beforeAll(async () => {
    f = await startEnosFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("accepts a correctly signed request", async () => {
    expect(await rawCall(f.sandbox, "GET", LIST)).toMatchObject({ status: 200, json: { code: 0, data: [] } });
  });

  it("refuses a signature made with the wrong secret", async () => {
    const { status, json } = await rawCall(f.sandbox, "GET", LIST, undefined, { secret: "not-the-secret" });
    expect(status).toBe(401);
    expect(json).toMatchObject({ status: 1003 });
  });

  it("refuses a body changed after signing (the body is part of the signature)", async () => {
    const { status, json } = await rawCall(
      f.sandbox,
      "POST",
      REVOKE,
      { certSn: "1", reason: 1 },
      { tamperBody: (t) => t.replace('"reason":1', '"reason":0') },
    );
    expect(status).toBe(401);
    expect(json).toMatchObject({ status: 1003 });
    expect(f.sandbox.actionCount("revoke")).toBe(0);
  });

  it("refuses a query changed after signing", async () => {
    const token = await accessToken(f.sandbox);
    const signedFor = await rawCall(f.sandbox, "GET", LIST, undefined, { token });
    expect(signedFor.status).toBe(200);
    // same headers against another device: sign for one query, send another
    const ts = f.clock.now().getTime() + 999;
    const { createHash } = await import("node:crypto");
    const sig = createHash("sha256")
      .update(`${token}actionlistassetIdyourDeviceAssetIdorgIdyourOrgId${ts}${f.sandbox.credentials.appSecret}`)
      .digest("hex");
    const res = await fetch(new URL(`${CERTS}?action=list&orgId=yourOrgId&assetId=oneWayAssetId`, f.sandbox.url), {
      headers: { "apim-accesstoken": token, "apim-timestamp": String(ts), "apim-signature": sig },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 1003 });
  });

  it("refuses missing headers (1202), a stale timestamp (1004) and an unknown token (1203)", async () => {
    expect((await rawCall(f.sandbox, "GET", LIST, undefined, { drop: ["apim-signature"] })).json).toMatchObject({
      status: 1202,
    });
    expect(
      (await rawCall(f.sandbox, "GET", LIST, undefined, { timestamp: f.clock.now().getTime() - 3_600_000 })).json,
    ).toMatchObject({ status: 1004 });
    expect((await rawCall(f.sandbox, "GET", LIST, undefined, { token: "0123456789abcdef" })).json).toMatchObject({
      status: 1203,
    });
  });

  it("refuses an expired token", async () => {
    const token = await accessToken(f.sandbox);
    f.clock.advance(7201_000);
    const { status, json } = await rawCall(f.sandbox, "GET", LIST, undefined, { token });
    expect(status).toBe(401);
    expect(json).toMatchObject({ status: 1203, msg: "The access token has expired." });
  });

  it("the provider names appSecret, never its value, when the secret is wrong", async () => {
    const secret = "definitely-wrong-secret-value";
    const target = createEnosTarget(
      { endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId" },
      { appKey: f.sandbox.credentials.appKey, appSecret: secret },
      f.ctx,
    );
    try {
      const error = await target.verify("01").catch((e: unknown) => e);
      expect(error).toSatisfy(isAuthError);
      expect(error).toMatchObject({ code: "AUTH_FAILED", field: "appSecret", vendor: "enos" });
      expect(String((error as Error).message)).not.toContain(secret);
    } finally {
      await target.close();
    }
  });
});
