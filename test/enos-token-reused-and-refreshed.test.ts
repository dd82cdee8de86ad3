import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEnosIssuer, createEnosTarget } from "../src/providers/enos/index.js";
import { EnosClient } from "../src/providers/enos/client.js";
import { generateKeyAndCsr } from "../src/x509/index.js";
import { rawToken, startEnosFixture, type EnosFixture } from "./support/enos.js";

const TOKEN = "POST /apim-token-service/v2.0/token/get";

describe("EnOS access token: one per client, reused until near expiry", () => {
  let f: EnosFixture;
  const settings = () => ({ endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId" });

  beforeAll(async () => {
    f = await startEnosFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });
  beforeEach(() => {
    // every test starts at a fresh millisecond, so no token request repeats an earlier test's encryption (1001)
    f.clock.advance(60_000);
    f.sandbox.resetStats();
    f.sandbox.faults.clear();
  });

  it("the token service answers the documented shape and the same token until it expires", async () => {
    const first = await rawToken(f.sandbox);
    expect(first.json).toEqual({
      status: 0,
      msg: "SUCCESS",
      business: "apim-token-service",
      data: { accessToken: expect.any(String), expire: 7200 },
    });
    f.clock.advance(60_000);
    const second = await rawToken(f.sandbox);
    expect((second.json.data as { accessToken: string }).accessToken).toBe(
      (first.json.data as { accessToken: string }).accessToken,
    );
    // the repeat may answer the full 7200 s again: the token still dies at its original expiry (60 s earlier)
    expect((second.json.data as { expire: number }).expire).toBe(7200);
    f.clock.advance(7140_000);
    const third = await rawToken(f.sandbox);
    expect((third.json.data as { accessToken: string }).accessToken).not.toBe(
      (first.json.data as { accessToken: string }).accessToken,
    );
  });

  it("the token service refuses a wrong secret (1003), an unknown appKey (1002), a stale timestamp (1004) and a replay (1001)", async () => {
    expect((await rawToken(f.sandbox, { secret: "wrong" })).json).toMatchObject({ status: 1003 });
    const stale = f.clock.now().getTime() - 10 * 60_000;
    expect((await rawToken(f.sandbox, { timestamp: stale })).json).toMatchObject({ status: 1004 });
    const ts = f.clock.now().getTime() + 12_345;
    expect((await rawToken(f.sandbox, { timestamp: ts })).json).toMatchObject({ status: 0 });
    expect((await rawToken(f.sandbox, { timestamp: ts })).json).toMatchObject({ status: 1001 });
    const res = await fetch(new URL("/apim-token-service/v2.0/token/get", f.sandbox.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ appKey: "someone-else", encryption: "00", timestamp: f.clock.now().getTime() }),
    });
    expect(await res.json()).toMatchObject({ status: 1002 });
  });

  it("several requests from one issuer take one token", async () => {
    const issuer = createEnosIssuer(settings(), f.sandbox.credentials, f.ctx);
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    try {
      const { csr } = await generateKeyAndCsr({ keyType: "rsa", commonName: "token.device.example" });
      const issued = await issuer.issue({ csr, commonName: "token.device.example", sans: [], reference: "r1" });
      expect(issued.state).toBe("issued");
      await issuer.resume(issued.orderId, { csr, commonName: "token.device.example", sans: [], reference: "r1" });
      // issue = list + apply, resume = list: three signed requests, one token request
      expect(
        f.sandbox.count("GET /connect-service/v2.0/certificates") +
          f.sandbox.count("POST /connect-service/v2.0/certificates"),
      ).toBe(3);
      expect(f.sandbox.count(TOKEN)).toBe(1);
      for await (const c of target.list()) expect(c.commonName).toBe("token.device.example");
      await target.verify("01");
      expect(f.sandbox.count(TOKEN)).toBe(2);
    } finally {
      await issuer.close();
      await target.close();
    }
  });

  it("takes a new token shortly before the old one expires", async () => {
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    try {
      await target.verify("01");
      f.clock.advance(7000_000);
      await target.verify("01");
      expect(f.sandbox.count(TOKEN)).toBe(2);
      expect(f.sandbox.authFailureCount).toBe(0);
    } finally {
      await target.close();
    }
  });

  it("recovers when the gateway expires the token early: one new token, the request sent once more", async () => {
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    try {
      await target.verify("01");
      const refusedBefore = f.sandbox.authFailureCount;
      f.sandbox.expireTokens();
      const result = await target.verify("01");
      expect(result.ok).toBe(false);
      expect(f.sandbox.authFailureCount).toBe(refusedBefore + 1);
      expect(f.sandbox.count(TOKEN)).toBe(2);
      expect(f.sandbox.stats().faults).toMatchObject({ "token-expiry": 1 });
    } finally {
      await target.close();
    }
  });

  it("retries a token request that met a 503, with a fresh timestamp", async () => {
    f.sandbox.faults.add({
      fault: { kind: "status", status: 503 },
      method: "POST",
      path: "/apim-token-service",
      times: 1,
    });
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    try {
      expect((await target.verify("01")).ok).toBe(false);
      expect(f.sandbox.count(TOKEN)).toBe(2);
    } finally {
      await target.close();
    }
  });
  it("a client that gets the same token again keeps its original expiry (no clock restart on a repeat)", async () => {
    f.sandbox.expireTokens();
    const early = new EnosClient({
      endpoint: f.sandbox.url,
      appKey: f.sandbox.credentials.appKey,
      appSecret: f.sandbox.credentials.appSecret,
      ctx: f.ctx,
    });
    await early.list({ orgId: "yourOrgId", assetId: "yourDeviceAssetId" });
    // an hour later a second client of the same application is handed the same token, answered with expire 7200
    f.clock.advance(3_600_000);
    const late = new EnosClient({
      endpoint: f.sandbox.url,
      appKey: f.sandbox.credentials.appKey,
      appSecret: f.sandbox.credentials.appSecret,
      ctx: f.ctx,
    });
    await late.list({ orgId: "yourOrgId", assetId: "yourDeviceAssetId" });
    // just before the token's real end (7200 s after the first), the late client takes a new one instead of trusting the repeat's 7200
    f.clock.advance(3_500_000);
    const before = f.sandbox.authFailureCount;
    await late.list({ orgId: "yourOrgId", assetId: "yourDeviceAssetId" });
    expect(late.tokenRequests).toBe(2);
    expect(f.sandbox.authFailureCount).toBe(before);
    await early.close();
    await late.close();
  });
});
