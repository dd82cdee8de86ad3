/**
 * What certrelay sends to EnOS when it issues a device certificate (apply), renews it, and checks the device,
 * compared with EnOS's documented calls (docs/vendors.md names each page): `certSn` is a number, the token
 * request's `timestamp` is a number, every API call carries the three apim headers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnosIssuer, createEnosTarget } from "../src/providers/enos/index.js";
import type { RecordedRequest } from "../src/sandbox/server.js";
import { certFacts, generateKeyAndCsr } from "../src/x509/index.js";
import { startEnosFixture, type EnosFixture } from "./support/enos.js";
import { fidelityProblems, type DocumentedCall } from "./support/fidelity.js";

const CERTS = "/connect-service/v2.0/certificates";
const DEVICE = ["action", "orgId", "assetId", "productKey", "deviceKey"];
const SIGNED = { "apim-accesstoken": /\S/, "apim-signature": /^[0-9a-f]{64}$/, "apim-timestamp": /^\d{13}$/ };
const ISSUE_FIELDS = { csr: "string", validDay: "integer", issueAuthority: "string" } as const;

const ENOS_DOCUMENTED: DocumentedCall[] = [
  {
    method: "POST",
    path: "/apim-token-service/v2.0/token/get",
    body: { appKey: "string", encryption: "string", timestamp: "integer" },
    requiredBody: ["appKey", "encryption", "timestamp"],
  },
  {
    method: "GET",
    path: CERTS,
    match: { action: "list" },
    query: DEVICE,
    requiredQuery: ["action", "orgId"],
    headers: SIGNED,
  },
  {
    method: "POST",
    path: CERTS,
    match: { action: "apply" },
    query: DEVICE,
    requiredQuery: ["action", "orgId"],
    body: ISSUE_FIELDS,
    requiredBody: ["csr"],
    headers: SIGNED,
  },
  {
    method: "POST",
    path: CERTS,
    match: { action: "renew" },
    query: DEVICE,
    requiredQuery: ["action", "orgId"],
    body: { certSn: "integer", ...ISSUE_FIELDS },
    requiredBody: ["certSn"],
    headers: SIGNED,
  },
  {
    method: "POST",
    path: CERTS,
    match: { action: "revoke" },
    query: DEVICE,
    requiredQuery: ["action", "orgId"],
    body: { certSn: "integer", reason: "integer" },
    requiredBody: ["certSn", "reason"],
    headers: SIGNED,
  },
];

describe("EnOS: the requests certrelay sends have the documented shape", () => {
  let f: EnosFixture;
  const settings = () => ({ endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId", validDays: 30 });
  beforeAll(async () => {
    f = await startEnosFixture();
    f.sandbox.recording = [];
    const issuer = createEnosIssuer(settings(), f.sandbox.credentials, f.ctx);
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    const first = await generateKeyAndCsr({ keyType: "rsa", commonName: "fidelity.device.example" });
    const applied = await issuer.issue({
      csr: first.csr,
      commonName: "fidelity.device.example",
      sans: [],
      reference: "r1",
    });
    if (applied.state !== "issued") throw new Error("apply did not issue");
    const second = await generateKeyAndCsr({ keyType: "rsa", commonName: "fidelity.device.example" });
    const previousSerial = certFacts(applied.certificate).serial;
    const renewed = await issuer.issue({
      csr: second.csr,
      commonName: "fidelity.device.example",
      sans: [],
      reference: "r2",
      previousSerial,
    });
    if (renewed.state !== "issued") throw new Error("renew did not issue");
    await target.verify(certFacts(renewed.certificate).serial);
    await issuer.close();
    await target.close();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("every request of an apply, a renew and a verify is a documented call with documented fields and types", async () => {
    const recorded = f.sandbox.recording ?? [];
    expect(recorded.map((r) => `${r.method} ${r.query.action ?? r.path}`)).toEqual(
      expect.arrayContaining(["POST apply", "POST renew", "GET list"]),
    );
    expect(await fidelityProblems(recorded, ENOS_DOCUMENTED)).toEqual([]);
  });

  it("certSn goes as a number", () => {
    const renew = (f.sandbox.recording ?? []).find((r) => r.query.action === "renew");
    expect(typeof (JSON.parse(renew?.body ?? "{}") as { certSn: unknown }).certSn).toBe("number");
  });

  it("the check itself catches a string certSn", async () => {
    const wrong: RecordedRequest = {
      method: "POST",
      path: CERTS,
      query: { action: "renew", orgId: "o", assetId: "a" },
      headers: { "apim-accesstoken": "t", "apim-signature": "0".repeat(64), "apim-timestamp": "1572574909697" },
      body: JSON.stringify({ certSn: "52770" }),
    };
    expect(await fidelityProblems([wrong], ENOS_DOCUMENTED)).toEqual([
      "POST /connect-service/v2.0/certificates: body field certSn is string, documented integer",
    ]);
  });
});
