import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import {
  API,
  YEASTAR_NOW,
  rawCall,
  rawToken,
  rawUpload,
  serverFile,
  startYeastarFixture,
  type YeastarFixture,
} from "./support/yeastar.js";

describe("certificate/list pages, sorts and filters; query reads by ids", () => {
  let f: YeastarFixture;
  let token: string;
  const list = async (query: string) =>
    (await rawCall(f.sandbox, "GET", `${API}/certificate/list?access_token=${token}&${query}`)).json;

  beforeAll(async () => {
    f = await startYeastarFixture();
    token = await rawToken(f.sandbox);
    for (const [cn, days] of [
      ["b.example.com", 40],
      ["a.example.com", 90],
      ["c.example.com", 10],
    ] as const) {
      const m = await f.ca.issue({ commonName: cn, days });
      await rawUpload(f.sandbox, token, "server", `${cn}.pem`, serverFile(m));
      await rawCall(f.sandbox, "POST", `${API}/certificate/create?access_token=${token}`, {
        type: "server",
        ca_type: "upload",
        name: `${cn}.pem`,
      });
    }
    const other = await TestCA.create({ name: "Partner", now: YEASTAR_NOW });
    await rawUpload(f.sandbox, token, "trusted", "partner.crt", other.rootPem);
    await rawCall(f.sandbox, "POST", `${API}/certificate/create?access_token=${token}`, {
      type: "trusted",
      name: "partner.crt",
    });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("answers total_number and one page of certificate_list", async () => {
    const page = await list("page=2&page_size=2");
    expect(page).toMatchObject({ errcode: 0, errmsg: "SUCCESS", total_number: 4 });
    expect((page.certificate_list as { name: string }[]).map((c) => c.name)).toEqual([
      "c.example.com.pem",
      "partner.crt",
    ]);
  });

  it("sorts by expiration descending and filters by type, with the documented item fields", async () => {
    const page = await list("sort_by=expiration&order_by=desc&type=server");
    const items = page.certificate_list as Record<string, unknown>[];
    expect(items.map((c) => c.issue_to)).toEqual(["a.example.com", "b.example.com", "c.example.com"]);
    expect(items[0]).toEqual({
      id: 2,
      name: "a.example.com.pem",
      type: "server",
      issue_to: "a.example.com",
      expiration: "2027-02-22 12:00:00",
      ca_type: "upload",
      auto_renewal: 0,
      dns_provider: "",
      apply_status: "issuance_success",
    });
    // no row says which certificate the web server uses: that is webserver/get's answer alone
    expect(items.every((c) => !("in_use" in c))).toBe(true);
  });

  it("refuses unknown sort fields and page sizes with 40001", async () => {
    expect(await list("sort_by=serial")).toMatchObject({ errcode: 40001, param: "sort_by" });
    expect(await list("order_by=up")).toMatchObject({ errcode: 40001, param: "order_by" });
    expect(await list("page_size=0")).toMatchObject({ errcode: 40001, param: "page_size" });
    expect(await list("type=client")).toMatchObject({ errcode: 40001, param: "type" });
  });

  it("query returns the records for the ids it knows, 60001 when none", async () => {
    const q = await rawCall(f.sandbox, "GET", `${API}/certificate/query?access_token=${token}&ids=1,3,99`);
    expect((q.json.certificate_list as { id: number }[]).map((c) => c.id)).toEqual([1, 3]);
    expect(
      (await rawCall(f.sandbox, "GET", `${API}/certificate/query?access_token=${token}&ids=99`)).json,
    ).toMatchObject({ errcode: 60001 });
    expect((await rawCall(f.sandbox, "GET", `${API}/certificate/query?access_token=${token}`)).json).toMatchObject({
      errcode: 40001,
      param: "ids",
    });
  });
});
