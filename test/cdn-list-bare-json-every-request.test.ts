/**
 * SwiftFederation's "List Customer Certificates" takes no parameters and answers a bare array (no paging);
 * Content-Type: application/json is mandatory on every request, GET included; 403 Customer.DELETED is an account
 * problem, not a signature problem.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { signRequest } from "../src/providers/cdn/signature.js";
import type { DeployedCertificate } from "../src/model.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";

describe("the CDN list and the Content-Type rule", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture({ edge: false });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("lists with one bare GET: no query parameters, Content-Type application/json", async () => {
    for (const cn of ["a.example.org", "b.example.org", "c.example.org"]) {
      const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
      await target.deploy(await f.ca.issue({ commonName: cn, days: 30 }));
      await target.close();
    }
    f.sandbox.recording = [];
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const listed: DeployedCertificate[] = [];
      for await (const c of target.list()) listed.push(c);
      expect(listed.map((c) => c.commonName).sort()).toEqual(["a.example.org", "b.example.org", "c.example.org"]);
      expect(f.sandbox.recording).toHaveLength(1);
      const [request] = f.sandbox.recording;
      expect(request).toMatchObject({ method: "GET", path: "/sfd/v2.0/certs", query: {}, body: "" });
      expect(request?.headers["content-type"]).toBe("application/json");
    } finally {
      f.sandbox.recording = undefined;
      await target.close();
    }
  });

  it("a signed GET without Content-Type is refused", async () => {
    const url = new URL("/sfd/v2.0/certs", f.sandbox.url);
    const headers = signRequest(
      { method: "GET", url, headers: {}, body: undefined },
      f.sandbox.credentials,
      f.sandbox.clock(),
    );
    const res = await fetch(url, { headers });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      code: "ContentType.Invalid",
      message: "Content-Type must be application/json.",
    });
  });

  it("403 Customer.DELETED is reported as an account problem, not as a signature problem", async () => {
    f.sandbox.customerDeleted = true;
    const target = createCdnTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const listing = (async () => {
        for await (const _ of target.list()) void _;
      })();
      const error: unknown = await listing.catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "VENDOR_REJECTED",
        vendor: "cdn",
        vendorCode: "Customer.DELETED",
        field: "accessKeyId",
      });
      expect((error as Error).message).toMatch(/customer account these access keys belong to is deleted/);
      expect((error as Error).message).not.toMatch(/clock|signature/);
    } finally {
      f.sandbox.customerDeleted = false;
      await target.close();
    }
  });
});
