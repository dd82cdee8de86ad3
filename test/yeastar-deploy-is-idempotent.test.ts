import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployToTarget } from "../src/pipeline/index.js";
import { createYeastarTarget } from "../src/providers/yeastar/index.js";
import { certFacts } from "../src/x509/index.js";
import type { DeployedCertificate, Target } from "../src/model.js";
import { startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

const UPLOAD = "POST /openapi/v1.0/certificate/upload";
const CREATE = "POST /openapi/v1.0/certificate/create";
const GET_TOKEN = "POST /openapi/v1.0/get_token";
const UPDATE = "POST /openapi/v1.0/certificate/update";

async function collect(target: Target): Promise<DeployedCertificate[]> {
  const out: DeployedCertificate[] = [];
  for await (const c of target.list()) out.push(c);
  return out;
}

describe("deploying to the PBX", () => {
  let f: YeastarFixture;
  beforeAll(async () => {
    f = await startYeastarFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("imports a server certificate once; a re-run finds it by name and changes nothing", async () => {
    const material = await f.ca.issue({ commonName: "pbx.example.com", days: 90 });
    const first = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    const deployed = await first.deploy(material);
    await first.close();
    expect(deployed).toMatchObject({ commonName: "pbx.example.com", changed: true, expireIn: 90 });
    expect(f.sandbox.inUse()).toMatchObject({
      name: `certrelay-pbx.example.com-${deployed.serial}.pem`,
      serial: deployed.serial,
    });
    expect(f.sandbox.servedSerial()).toBe(deployed.serial);
    expect(deployed.id).toBe(String(f.sandbox.inUse()?.id));

    const second = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    const again = await second.deploy(material);
    expect(again).toMatchObject({ id: deployed.id, serial: deployed.serial, changed: false });
    expect(f.sandbox.count(UPLOAD)).toBe(1);
    expect(f.sandbox.count(CREATE)).toBe(1);

    const listed = await collect(second);
    expect(listed).toEqual([
      {
        id: deployed.id,
        serial: deployed.serial,
        commonName: "pbx.example.com",
        notAfter: deployed.notAfter,
        expireIn: 90,
      },
    ]);
    expect(await second.verify(deployed.serial)).toMatchObject({ ok: true, servedSerial: deployed.serial });
    await second.close();
  });

  // the dry run is the pipeline step's (vendors take no dry-run flag): it reads what the PBX serves, writes nothing
  it("a dry run reads but never writes", async () => {
    const material = await f.ca.issue({ commonName: "dry.example.com", days: 30 });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    const uploads = f.sandbox.count(UPLOAD);
    const result = await deployToTarget(target, material, certFacts(material.certificate).serial, { dryRun: true });
    await target.close();
    expect(result.report).toMatchObject({ status: "would-deploy" });
    expect(f.sandbox.count(UPLOAD)).toBe(uploads);
  });

  it("a rotation replaces the in-use certificate in place: same id, no new slot, the PBX serves the new serial", async () => {
    const material = await f.ca.issue({ commonName: "pbx.example.com", days: 60 });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    const older = (await collect(target))[0];
    const slots = f.sandbox.certificates("server").length;
    const newer = await target.deploy(material);
    expect(newer).toMatchObject({ id: older?.id, changed: true });
    expect(f.sandbox.count(UPDATE)).toBe(1);
    expect(f.sandbox.certificates("server")).toHaveLength(slots);
    expect(f.sandbox.inUse()?.serial).toBe(newer.serial);
    expect(f.sandbox.servedSerial()).toBe(newer.serial);
    const verdict = await target.verify(older?.serial ?? "");
    expect(verdict).toMatchObject({ ok: false, servedSerial: newer.serial });
    expect(verdict.detail).toMatch(/no server certificate with serial/);
    expect(await target.verify(newer.serial)).toMatchObject({ ok: true, servedSerial: newer.serial });
    expect(await target.verify("ABCDEF")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/no server certificate with serial ABCDEF/) as unknown,
    });
    await target.close();
  });

  it("a rotation whose certificate/update answer is lost reads the record back (certificate/get) instead of adding a second certificate", async () => {
    const material = await f.ca.issue({ commonName: "pbx.example.com", days: 45 });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    const older = (await collect(target))[0];
    const slots = f.sandbox.certificates("server").length;
    const [updates, creates] = [f.sandbox.count(UPDATE), f.sandbox.count(CREATE)];
    f.sandbox.faults.add({
      fault: { kind: "drop-answer" },
      method: "POST",
      path: "/openapi/v1.0/certificate/update",
      times: 1,
    });
    const newer = await target.deploy(material);
    expect(newer).toMatchObject({ id: older?.id, changed: true });
    expect(f.sandbox.count(UPDATE)).toBe(updates + 1);
    expect(f.sandbox.count(CREATE)).toBe(creates);
    expect(f.sandbox.certificates("server")).toHaveLength(slots);
    expect(f.sandbox.servedSerial()).toBe(newer.serial);
    // the next run finds it in use and writes nothing
    expect(await target.deploy(material)).toMatchObject({ changed: false });
    expect(f.sandbox.count(UPDATE)).toBe(updates + 1);
    await target.close();
  });

  it("imports a trusted CA certificate without its key", async () => {
    const target = createYeastarTarget(
      { endpoint: f.sandbox.url, certificateType: "trusted" },
      f.sandbox.credentials,
      f.ctx,
    );
    const root = { certificate: f.ca.rootPem, privateKey: "", chain: "" };
    const result = await target.deploy(root);
    expect(result).toMatchObject({ commonName: "PBX Test Root CA", changed: true });
    expect(f.sandbox.certificates("trusted")).toHaveLength(1);
    expect(f.sandbox.certificates("trusted")[0]?.pem).not.toContain("PRIVATE KEY");
    expect(await target.verify(result.serial)).toMatchObject({ ok: true });
    expect((await target.deploy(root)).changed).toBe(false);
    await target.close();
  });

  it("refuses a leaf as a trusted certificate before any request", async () => {
    const leaf = await f.ca.issue({ commonName: "leaf.example.com" });
    const before = f.sandbox.requestCount;
    const target = createYeastarTarget(
      { endpoint: f.sandbox.url, certificateType: "trusted" },
      f.sandbox.credentials,
      f.ctx,
    );
    await expect(target.deploy(leaf)).rejects.toMatchObject({ code: "INPUT_INVALID", field: "certificate" });
    await target.close();
    expect(f.sandbox.requestCount).toBe(before);
  });

  it("refuses a mismatched key before any request", async () => {
    const a = await f.ca.issue({ commonName: "a.example.com" });
    const b = await f.ca.issue({ commonName: "b.example.com" });
    const before = f.sandbox.requestCount;
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    await expect(target.deploy({ ...a, privateKey: b.privateKey })).rejects.toMatchObject({ code: "KEY_MISMATCH" });
    await target.close();
    expect(f.sandbox.requestCount).toBe(before);
  });

  it("every target took one token and revoked it on close", () => {
    // six targets above sent requests (the two refused locally never asked for a token)
    expect(f.sandbox.count(GET_TOKEN)).toBe(6);
    expect(f.sandbox.tokens.revoked).toBe(6);
    expect(f.sandbox.tokens.validAccessTokens()).toBe(0);
  });
});
