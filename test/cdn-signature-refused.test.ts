import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { rawCall, startCdnFixture, type CdnFixture } from "./support/cdn.js";

const LIST = "/sfd/v2.0/certs";
const HOUR_MS = 3_600_000;

describe("signature v2 is checked on every request", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("accepts a correctly signed request", async () => {
    expect((await rawCall(f.sandbox, "GET", LIST)).status).toBe(200);
  });

  it("refuses a signature made with the wrong secret (403 Permission.Forbidden)", async () => {
    const res = await rawCall(f.sandbox, "GET", LIST, undefined, { secret: "not-the-secret" });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: "Permission.Forbidden" });
  });

  it("refuses a date more than an hour off the CDN's clock", async () => {
    const stale = new Date(f.sandbox.clock().getTime() - HOUR_MS - 60_000);
    const res = await rawCall(f.sandbox, "GET", LIST, undefined, { at: stale });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: "Permission.Forbidden", message: expect.stringMatching(/X-SFD-Date/) });
    const nearlyStale = new Date(f.sandbox.clock().getTime() - HOUR_MS + 60_000);
    expect((await rawCall(f.sandbox, "GET", LIST, undefined, { at: nearlyStale })).status).toBe(200);
  });

  it("refuses a request without X-SFD-Nonce", async () => {
    const res = await rawCall(f.sandbox, "GET", LIST, undefined, { drop: ["X-SFD-Nonce"] });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: "Permission.Forbidden", message: expect.stringMatching(/X-SFD-Nonce/) });
  });

  it("refuses a replayed nonce (inferred)", async () => {
    const nonce = "123456789012345678";
    expect((await rawCall(f.sandbox, "GET", LIST, undefined, { nonce })).status).toBe(200);
    const again = await rawCall(f.sandbox, "GET", LIST, undefined, { nonce });
    expect(again.status).toBe(403);
    expect(again.json).toMatchObject({ message: expect.stringMatching(/already been used/) });
  });

  it("refuses a body changed after signing", async () => {
    const url = new URL(LIST, f.sandbox.url);
    const { signRequest } = await import("../src/providers/cdn/signature.js");
    const headers = signRequest(
      { method: "POST", url, headers: {}, body: '{"certificate":"a"}' },
      f.sandbox.credentials,
      f.sandbox.clock(),
    );
    const res = await fetch(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: '{"certificate":"b"}',
    });
    expect(res.status).toBe(403);
  });

  it("the provider reports AUTH_FAILED naming the credentials and the clock, without the secret", async () => {
    const before = f.sandbox.authFailureCount;
    const secret = "wrong-secret-value-42";
    const target = createCdnTarget(
      { endpoint: f.sandbox.url },
      { accessKeyId: f.sandbox.credentials.accessKeyId, accessKeySecret: secret },
      f.ctx,
    );
    try {
      const listing = (async () => {
        for await (const _ of target.list()) void _;
      })();
      await expect(listing).rejects.toMatchObject({ code: "AUTH_FAILED", vendor: "cdn" });
      await expect(listing).rejects.toThrow(/check the access key id and secret, and the machine clock/);
      await expect(listing).rejects.not.toThrow(secret);
      // a refused signature is not retried
      expect(f.sandbox.authFailureCount).toBe(before + 1);
    } finally {
      await target.close();
    }
  });

  it("the provider signs each retry afresh (a retried request is not refused as a replay)", async () => {
    f.sandbox.faults.add({ fault: { kind: "status", status: 503 }, method: "GET", path: LIST, times: 2 });
    const before = f.sandbox.authFailureCount;
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const seen: string[] = [];
      for await (const c of target.list()) seen.push(c.id);
      expect(f.sandbox.authFailureCount).toBe(before);
    } finally {
      await target.close();
    }
  });
});
