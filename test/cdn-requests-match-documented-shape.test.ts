/**
 * What certrelay sends to SwiftFederation in a deploy (list, upload, attach) and a re-deploy, compared with the
 * documented calls (docs/vendors.md names each page): no query on the list, the upload's three string fields, the
 * attachment's numeric certificateId, Content-Type: application/json and the signature v2 headers on every request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";
import { fidelityProblems, type DocumentedCall } from "./support/fidelity.js";

const SIGNED = {
  "content-type": /^application\/json\b/,
  "x-sfd-date": /^\d{8}T\d{6}Z$/,
  "x-sfd-nonce": /^\d{1,18}$/,
  "x-sfd-signature-version": /^2$/,
  authorization: /^HMAC-SHA256 [^:\s]+:[0-9a-f]{64}$/,
};

const CDN_DOCUMENTED: DocumentedCall[] = [
  { method: "GET", path: "/sfd/v2.0/certs", headers: SIGNED },
  {
    method: "POST",
    path: "/sfd/v2.0/certs",
    body: { certificate: "string", privateKey: "string", chain: "string" },
    requiredBody: ["certificate", "privateKey"],
    headers: SIGNED,
  },
  {
    method: "POST",
    path: "/cdn/v1.0/services/:serviceId/certificates",
    body: { certificateId: "integer", domainName: "string" },
    requiredBody: ["certificateId", "domainName"],
    headers: SIGNED,
  },
];

describe("SwiftFederation: the requests certrelay sends have the documented shape", () => {
  let f: CdnFixture;
  beforeAll(async () => {
    f = await startCdnFixture();
    f.sandbox.recording = [];
    const settings = {
      endpoint: f.sandbox.url,
      verifyHost: "shape.example.org",
      verifyAddress: `127.0.0.1:${f.sandbox.edgePort}`,
      serviceId: "svc-1",
    };
    const target = createCdnTarget(settings, f.sandbox.credentials, f.ctx);
    const material = await f.ca.issue({ commonName: "shape.example.org", days: 90 });
    await target.deploy(material);
    await target.deploy(material);
    await target.close();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("every request of a deploy and a re-deploy is a documented call with documented fields and types", async () => {
    const recorded = f.sandbox.recording ?? [];
    expect(recorded.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        "GET /sfd/v2.0/certs",
        "POST /sfd/v2.0/certs",
        "POST /cdn/v1.0/services/svc-1/certificates",
      ]),
    );
    expect(await fidelityProblems(recorded, CDN_DOCUMENTED)).toEqual([]);
  });
});
