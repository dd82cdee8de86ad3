/**
 * certificate/list is documented with `page`/`page_size`; a PBX that ignored them would answer the same rows on
 * every page. The walk must still end, with each certificate seen once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createYeastarTarget } from "../src/providers/yeastar/index.js";
import type { DeployedCertificate } from "../src/model.js";
import { startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

const LIST = "GET /openapi/v1.0/certificate/list";

describe("Yeastar list walk against a PBX that ignores paging", () => {
  let f: YeastarFixture;
  beforeAll(async () => {
    f = await startYeastarFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("ends after the first page that brings nothing new, every certificate once", async () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({
      id: i + 1,
      name: `cert-${i + 1}.pem`,
      type: "server",
      issue_to: `h${i + 1}.example.com`,
      expiration: "2027-01-01 00:00:00",
      ca_type: "upload",
      auto_renewal: 0,
      dns_provider: "",
      apply_status: "issuance_success",
    }));
    // every page answers the same 100 rows and claims 250 in all
    f.sandbox.faults.add({
      fault: {
        kind: "status",
        status: 200,
        body: { errcode: 0, errmsg: "SUCCESS", total_number: 250, certificate_list: rows },
      },
      method: "GET",
      path: "/openapi/v1.0/certificate/list",
      times: 10,
    });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      const listed: DeployedCertificate[] = [];
      for await (const c of target.list()) listed.push(c);
      expect(listed).toHaveLength(100);
      expect(new Set(listed.map((c) => c.id)).size).toBe(100);
      expect(f.sandbox.count(LIST)).toBe(2);
    } finally {
      f.sandbox.faults.clear();
      await target.close();
    }
  });
});
