import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createYeastarTarget } from "../src/providers/yeastar/index.js";
import { isQuotaError } from "../src/errors.js";
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

const DELETE = "GET /openapi/v1.0/certificate/delete";
const UPLOAD = "POST /openapi/v1.0/certificate/upload";

describe("the PBX holds at most 3 server and 20 trusted CA certificates", () => {
  let f: YeastarFixture;
  let token: string;
  beforeAll(async () => {
    f = await startYeastarFixture();
    token = await rawToken(f.sandbox);
    // three server certificates expiring in 30, 10 and 60 days; the web server is switched to the last (60 days)
    for (const [cn, days] of [
      ["a.example.com", 30],
      ["b.example.com", 10],
      ["c.example.com", 60],
    ] as const) {
      const m = await f.ca.issue({ commonName: cn, days });
      await rawUpload(f.sandbox, token, "server", `${cn}.pem`, serverFile(m));
      const res = await rawCall(f.sandbox, "POST", `${API}/certificate/create?access_token=${token}`, {
        type: "server",
        ca_type: "upload",
        name: `${cn}.pem`,
      });
      expect(res.json.errcode).toBe(0);
    }
    const selected = await rawCall(f.sandbox, "POST", `${API}/webserver/update?access_token=${token}`, {
      https_cert: "c.example.com.pem",
    });
    expect(selected.json).toEqual({ errcode: 0, errmsg: "SUCCESS" });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("refuses a 4th server certificate with errcode 60002", async () => {
    const m = await f.ca.issue({ commonName: "d.example.com" });
    await rawUpload(f.sandbox, token, "server", "d.pem", serverFile(m));
    const res = await rawCall(f.sandbox, "POST", `${API}/certificate/create?access_token=${token}`, {
      type: "server",
      ca_type: "upload",
      name: "d.pem",
    });
    expect(res.json).toMatchObject({
      errcode: 60002,
      errmsg: "FAILURE",
      detail: "the PBX holds at most 3 PBX server certificates",
    });
    const apply = await rawCall(f.sandbox, "POST", `${API}/certificate/create?access_token=${token}`, {
      type: "server",
      ca_type: "apply",
      issue_to: "d.example.com",
      dns_provider: "godaddy",
      auth_info_list: [
        { k: "APIKey", sv: "k" },
        { k: "APISecret", sv: "s" },
      ],
    });
    expect(apply.json.errcode).toBe(60002);
  });

  it("refuses to delete the certificate in use; 60001 for an unknown id", async () => {
    const inUse = f.sandbox.inUse();
    expect(inUse?.name).toBe("c.example.com.pem");
    const refused = await rawCall(
      f.sandbox,
      "GET",
      `${API}/certificate/delete?access_token=${token}&id=${String(inUse?.id)}`,
    );
    expect(refused.json).toMatchObject({ errcode: 10009, param: "id" });
    const missing = await rawCall(f.sandbox, "GET", `${API}/certificate/delete?access_token=${token}&id=999`);
    expect(missing.json).toMatchObject({ errcode: 60001 });
  });

  it("without pruneOld the provider fails with VENDOR_QUOTA saying how many exist and how to fix it", async () => {
    const m = await f.ca.issue({ commonName: "new.example.com" });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    const uploads = f.sandbox.count(UPLOAD);
    const error: unknown = await target.deploy(m).catch((e: unknown) => e);
    await target.close();
    expect(error).toSatisfy(isQuotaError);
    expect(error).toMatchObject({ code: "VENDOR_QUOTA", vendor: "yeastar", field: "pruneOld" });
    expect((error as Error).message).toMatch(
      /already holds 3 server certificates \(its limit is 3\): delete one on the PBX .* or set pruneOld/,
    );
    expect(f.sandbox.count(UPLOAD)).toBe(uploads);
  });

  it("with pruneOld deletes the oldest-expiring certificate that is not in use, then imports", async () => {
    const m = await f.ca.issue({ commonName: "new.example.com", days: 90 });
    const target = createYeastarTarget({ endpoint: f.sandbox.url, pruneOld: true }, f.sandbox.credentials, f.ctx);
    const result = await target.deploy(m);
    await target.close();
    expect(result.changed).toBe(true);
    expect(f.sandbox.count(DELETE)).toBe(3); // the two raw refusals above + one prune
    expect(
      f.sandbox
        .certificates("server")
        .map((c) => c.name)
        .sort(),
    ).toEqual(["a.example.com.pem", "c.example.com.pem", `certrelay-new.example.com-${result.serial}.pem`]);
    expect(f.sandbox.inUse()?.serial).toBe(result.serial);
    // the delete answered apply: 1, and the user is told what to do
    expect(result.notes).toEqual([
      expect.stringMatching(/deleting b\.example\.com\.pem needs the PBX to apply its configuration/) as unknown,
    ]);
  });

  it("prune never deletes what webserver/get names, even when it expires first", async () => {
    // an administrator switched the web server to a (30 days): the oldest-expiring one that may go is c (60 days)
    f.sandbox.useHttpsCert("a.example.com.pem");
    const next = await f.ca.issue({ commonName: "next.example.com", days: 90 });
    const target = createYeastarTarget({ endpoint: f.sandbox.url, pruneOld: true }, f.sandbox.credentials, f.ctx);
    const result = await target.deploy(next);
    await target.close();
    const names = f.sandbox
      .certificates("server")
      .map((c) => c.issueTo)
      .sort();
    expect(names).toEqual(["a.example.com", "new.example.com", "next.example.com"]);
    expect(f.sandbox.servedSerial()).toBe(result.serial);
  });

  it("refuses a 21st trusted CA certificate", async () => {
    for (let i = 0; i < 20; i++) {
      const ca = await TestCA.create({ name: `Trusted ${i}`, now: YEASTAR_NOW });
      await rawUpload(f.sandbox, token, "trusted", `t${i}.crt`, ca.rootPem);
      expect(
        (
          await rawCall(f.sandbox, "POST", `${API}/certificate/create?access_token=${token}`, {
            type: "trusted",
            name: `t${i}.crt`,
          })
        ).json.errcode,
      ).toBe(0);
    }
    const extra = await TestCA.create({ name: "Trusted 21", now: YEASTAR_NOW });
    const target = createYeastarTarget(
      { endpoint: f.sandbox.url, certificateType: "trusted" },
      f.sandbox.credentials,
      f.ctx,
    );
    await expect(target.deploy({ certificate: extra.rootPem, privateKey: "", chain: "" })).rejects.toThrow(
      /already holds 20 trusted CA certificates/,
    );
    await target.close();
    await rawUpload(f.sandbox, token, "trusted", "t21.crt", extra.rootPem);
    const res = await rawCall(f.sandbox, "POST", `${API}/certificate/create?access_token=${token}`, {
      type: "trusted",
      name: "t21.crt",
    });
    expect(res.json).toMatchObject({ errcode: 60002, detail: "the PBX holds at most 20 trusted CA certificates" });
  });

  it("delete answers the reboot/apply flags", async () => {
    const trusted = f.sandbox.certificates("trusted")[0];
    const server = f.sandbox.certificates("server").find((c) => c.id !== f.sandbox.inUse()?.id);
    const t = await rawCall(
      f.sandbox,
      "GET",
      `${API}/certificate/delete?access_token=${token}&id=${String(trusted?.id)}`,
    );
    expect(t.json).toEqual({ errcode: 0, errmsg: "SUCCESS", reboot: 0, apply: 0 });
    const s = await rawCall(
      f.sandbox,
      "GET",
      `${API}/certificate/delete?access_token=${token}&id=${String(server?.id)}`,
    );
    expect(s.json).toEqual({ errcode: 0, errmsg: "SUCCESS", reboot: 0, apply: 1 });
  });
});
