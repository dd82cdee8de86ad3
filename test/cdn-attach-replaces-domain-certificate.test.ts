import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { rawCall, startCdnFixture, toPkcs1, type CdnFixture } from "./support/cdn.js";

const ATTACH = "/cdn/v1.0/services/svc-1/certificates";

describe("POST /cdn/v1.0/services/{serviceId}/certificates", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  async function upload(material: CertificateMaterial): Promise<number> {
    const res = await rawCall(f.sandbox, "POST", "/sfd/v2.0/certs", {
      certificate: material.certificate,
      privateKey: toPkcs1(material.privateKey),
      chain: material.chain,
    });
    expect(res.status).toBe(200);
    return (res.json as { id: number }).id;
  }

  it("a new attachment replaces the old one for that domain", async () => {
    const a = await upload(await f.ca.issue({ commonName: "cdn.example.com", days: 30 }));
    const b = await upload(await f.ca.issue({ commonName: "cdn.example.com", days: 60 }));
    expect((await rawCall(f.sandbox, "POST", ATTACH, { certificateId: a, domainName: "cdn.example.com" })).status).toBe(
      200,
    );
    expect(f.sandbox.servedRecord("cdn.example.com")?.id).toBe(a);
    const res = await rawCall(f.sandbox, "POST", ATTACH, { certificateId: b, domainName: "cdn.example.com" });
    expect(res.json).toEqual({ serviceId: "svc-1", certificateId: b, domainName: "cdn.example.com" });
    expect(f.sandbox.attachmentFor("cdn.example.com")?.certificateId).toBe(b);
    expect(f.sandbox.servedRecord("cdn.example.com")?.id).toBe(b);
  });

  it("refuses a domain the certificate does not cover and an unknown certificate (inferred codes)", async () => {
    const id = await upload(await f.ca.issue({ commonName: "only.example.com", days: 30 }));
    const mismatch = await rawCall(f.sandbox, "POST", ATTACH, { certificateId: id, domainName: "other.example.com" });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json).toMatchObject({ code: "Certificate.DomainMismatch" });
    const unknown = await rawCall(f.sandbox, "POST", ATTACH, {
      certificateId: 999_999,
      domainName: "only.example.com",
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: "Certificate.NotFound" });
  });

  it("will not delete a certificate a domain still uses (inferred)", async () => {
    const id = await upload(await f.ca.issue({ commonName: "inuse.example.com", days: 30 }));
    await rawCall(f.sandbox, "POST", ATTACH, { certificateId: id, domainName: "inuse.example.com" });
    const res = await rawCall(f.sandbox, "DELETE", `/sfd/v2.0/certs/${id}`);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "Certificate.InUse" });
  });

  it("serves a wildcard upload by SNI when no attachment names the host", async () => {
    const id = await upload(
      await f.ca.issue({ commonName: "*.wild.example.com", sans: ["*.wild.example.com"], days: 30 }),
    );
    expect(f.sandbox.servedRecord("a.wild.example.com")?.id).toBe(id);
    expect(f.sandbox.servedRecord("a.b.wild.example.com")).toBeUndefined();
    expect(f.sandbox.servedRecord("wild.example.com")).toBeUndefined();
  });
});
