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

describe("certificate/create checks the uploaded PEM file", () => {
  let f: YeastarFixture;
  let token: string;
  const create = (body: unknown) => rawCall(f.sandbox, "POST", `${API}/certificate/create?access_token=${token}`, body);

  beforeAll(async () => {
    f = await startYeastarFixture();
    token = await rawToken(f.sandbox);
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("refuses a leaf certificate as a trusted CA certificate", async () => {
    const leaf = await f.ca.issue({ commonName: "leaf.example.com" });
    await rawUpload(f.sandbox, token, "trusted", "leaf.crt", leaf.certificate);
    const res = await create({ type: "trusted", name: "leaf.crt" });
    expect(res.json).toMatchObject({
      errcode: 40003,
      errmsg: "FAILURE",
      param: "name",
      detail: "a trusted certificate must be a CA certificate",
    });
  });

  it("refuses a server file without its private key", async () => {
    const m = await f.ca.issue({ commonName: "nokey.example.com" });
    await rawUpload(f.sandbox, token, "server", "nokey.pem", `${m.certificate}${m.chain}`);
    const res = await create({ type: "server", ca_type: "upload", name: "nokey.pem" });
    expect(res.json).toMatchObject({
      errcode: 40003,
      detail: "a server certificate file must hold the certificate and its private key",
    });
  });

  it("refuses a server file whose key belongs to another certificate", async () => {
    const a = await f.ca.issue({ commonName: "a.example.com" });
    const b = await f.ca.issue({ commonName: "b.example.com" });
    await rawUpload(f.sandbox, token, "server", "mismatch.pem", serverFile({ ...a, privateKey: b.privateKey }));
    const res = await create({ type: "server", ca_type: "upload", name: "mismatch.pem" });
    expect(res.json).toMatchObject({ errcode: 40003, detail: "the private key does not match the certificate" });
    expect(JSON.stringify(res.json)).not.toContain("PRIVATE KEY");
  });

  it("imports certificate + key + chain in one file; adding it only lists it (the web server keeps its default)", async () => {
    const m = await f.ca.issue({ commonName: "pbx.example.com" });
    const up = await rawUpload(f.sandbox, token, "server", "pbx.pem", serverFile(m));
    expect(up.json).toEqual({ errcode: 0, errmsg: "SUCCESS", file: "pbx.pem" });
    const res = await create({ type: "server", ca_type: "upload", name: "pbx.pem" });
    expect(res.json).toEqual({ errcode: 0, errmsg: "SUCCESS", name: "pbx.pem", apply_status: "issuance_success" });
    expect(f.sandbox.inUse()).toBeUndefined();
    expect(f.sandbox.certificates("server").map((c) => c.name)).toContain("pbx.pem");
    const dup = await rawUpload(f.sandbox, token, "server", "pbx.pem", serverFile(m));
    expect(dup.json.errcode).toBe(0);
    expect((await create({ type: "server", ca_type: "upload", name: "pbx.pem" })).json).toMatchObject({
      errcode: 40002,
      param: "name",
    });
  });

  it("answers 60001 for a name that was never uploaded", async () => {
    const res = await create({ type: "trusted", name: "never-uploaded.crt" });
    expect(res.json).toMatchObject({ errcode: 60001, param: "name" });
  });

  it("purges temporary storage after an hour", async () => {
    const other = await TestCA.create({ name: "Other", now: YEASTAR_NOW });
    await rawUpload(f.sandbox, token, "trusted", "late.crt", other.rootPem);
    expect(f.sandbox.tempFiles()).toContain("late.crt");
    f.clock.advance(61 * 60_000);
    token = await rawToken(f.sandbox);
    expect(f.sandbox.tempFiles()).not.toContain("late.crt");
    const res = await create({ type: "trusted", name: "late.crt" });
    expect(res.json).toMatchObject({ errcode: 60001, param: "name" });
    expect(String(res.json.detail)).toMatch(/purged after an hour/);
  });

  it("refuses a file uploaded as server when created as trusted", async () => {
    await rawUpload(f.sandbox, token, "server", "typed.pem", f.ca.rootPem);
    expect((await create({ type: "trusted", name: "typed.pem" })).json).toMatchObject({
      errcode: 40001,
      param: "type",
    });
  });

  it("refuses a file over the size limit with 40004", async () => {
    const res = await rawUpload(f.sandbox, token, "trusted", "huge.crt", "x".repeat(1_048_577));
    expect(res.json).toMatchObject({ errcode: 40004, param: "file" });
  });

  it("refuses an upload without a type", async () => {
    const res = await rawUpload(f.sandbox, token, "client", "x.crt", f.ca.rootPem);
    expect(res.json).toMatchObject({ errcode: 40001, param: "type" });
  });
});
