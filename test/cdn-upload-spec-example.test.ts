import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../src/sandbox/server.js";
import { CDN_NOW, rawCall, startCdnFixture, toPkcs1, type CdnFixture } from "./support/cdn.js";

const SFD_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe("POST /sfd/v2.0/certs replays the spec example", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("answers every documented field, serialNumber in decimal", async () => {
    const material = await f.ca.issue({
      commonName: "*.example.org",
      sans: ["*.example.org", "example.org"],
      days: 358,
    });
    const leaf = new X509Certificate(material.certificate);
    const res = await rawCall(f.sandbox, "POST", "/sfd/v2.0/certs", {
      certificate: material.certificate,
      privateKey: toPkcs1(material.privateKey),
      chain: material.chain,
    });
    expect(res.status).toBe(200);
    const body = res.json as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        "id",
        "customerId",
        "commonName",
        "subjectAlternativeNames",
        "serialNumber",
        "issuer",
        "organization",
        "organizationalUnit",
        "country",
        "stateOrProvince",
        "locality",
        "validFrom",
        "validTo",
        "created",
        "expireIn",
      ].sort(),
    );
    expect(Number.isInteger(body.id)).toBe(true);
    expect(body.customerId).toBe(123);
    expect(body.commonName).toBe("*.example.org");
    expect(body.subjectAlternativeNames).toBe("DNS:*.example.org, DNS:example.org");
    expect(body.serialNumber).toBe(BigInt(`0x${leaf.serialNumber}`).toString(10));
    expect(body.serialNumber).toMatch(/^\d+$/);
    const issuerCn = /CN=([^\n]+)/.exec(leaf.issuer)?.[1];
    expect(body.issuer).toBe(issuerCn);
    for (const k of ["organization", "organizationalUnit", "country", "stateOrProvince", "locality"])
      expect(typeof body[k]).toBe("string");
    expect(body.validFrom).toMatch(SFD_TIME);
    expect(body.validTo).toMatch(SFD_TIME);
    expect(body.created).toBe("2026-11-24T12:00:00Z");
    expect(Date.parse(body.validTo as string)).toBe(new Date(leaf.validTo).getTime());
    expect(body.expireIn).toBe(Math.floor((new Date(leaf.validTo).getTime() - CDN_NOW.getTime()) / DAY_MS));
  });

  it("serves the same record on GET /sfd/v2.0/certs/{id} and in the list", async () => {
    const material = await f.ca.issue({ commonName: "get.example.org", days: 30 });
    const up = await rawCall(f.sandbox, "POST", "/sfd/v2.0/certs", {
      certificate: material.certificate,
      privateKey: toPkcs1(material.privateKey),
    });
    const id = (up.json as { id: number }).id;
    const one = await rawCall(f.sandbox, "GET", `/sfd/v2.0/certs/${id}`);
    expect(one.status).toBe(200);
    expect(one.json).toEqual(up.json);
    const list = await rawCall(f.sandbox, "GET", "/sfd/v2.0/certs");
    expect(list.json).toContainEqual(up.json);
  });

  it("creates a second record when the same certificate is uploaded again", async () => {
    const material = await f.ca.issue({ commonName: "twice.example.org", days: 30 });
    const body = { certificate: material.certificate, privateKey: toPkcs1(material.privateKey) };
    const first = (await rawCall(f.sandbox, "POST", "/sfd/v2.0/certs", body)).json as {
      id: number;
      serialNumber: string;
    };
    const second = (await rawCall(f.sandbox, "POST", "/sfd/v2.0/certs", body)).json as {
      id: number;
      serialNumber: string;
    };
    expect(second.id).not.toBe(first.id);
    expect(second.serialNumber).toBe(first.serialNumber);
  });

  it("answers 404 for an unknown id and 204 for a delete", async () => {
    const material = await f.ca.issue({ commonName: "gone.example.org", days: 30 });
    const up = await rawCall(f.sandbox, "POST", "/sfd/v2.0/certs", {
      certificate: material.certificate,
      privateKey: toPkcs1(material.privateKey),
    });
    const id = (up.json as { id: number }).id;
    expect((await rawCall(f.sandbox, "DELETE", `/sfd/v2.0/certs/${id}`)).status).toBe(204);
    const after = await rawCall(f.sandbox, "GET", `/sfd/v2.0/certs/${id}`);
    expect(after.status).toBe(404);
    expect(after.json).toEqual({ code: "Certificate.NotFound", message: "Certificate does not exist." });
  });
});
