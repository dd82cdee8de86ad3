/**
 * The vendor kit's "did the request land?" check (src/providers/kit/landed.ts), over the real sandboxes: a write the
 * vendor carried out but whose answer never arrived (the sandbox acts, then drops the connection) is found by a
 * lookup and used; it is never sent a second time, and the run does not fail for it. (The reseller's purchase and
 * reissue, the same check, are pinned by reseller-issue-never-buys-twice and reseller-dropped-reissue.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { createEnosIssuer } from "../src/providers/enos/index.js";
import { createYeastarTarget } from "../src/providers/yeastar/index.js";
import { generateKeyAndCsr } from "../src/x509/index.js";
import { startCdnFixture, type CdnFixture } from "./support/cdn.js";
import { startEnosFixture, type EnosFixture } from "./support/enos.js";
import { startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

describe("a write whose answer was lost is looked up, not sent again", () => {
  let cdn: CdnFixture;
  let enos: EnosFixture;
  let yeastar: YeastarFixture;
  beforeAll(async () => {
    [cdn, enos, yeastar] = await Promise.all([startCdnFixture(), startEnosFixture(), startYeastarFixture()]);
  });
  afterAll(async () => {
    await Promise.all([cdn.sandbox.stop(), enos.sandbox.stop(), yeastar.sandbox.stop()]);
  });

  it("CDN: an upload stored but unanswered is found by serial; one record, one POST, and the deploy succeeds", async () => {
    const material = await cdn.ca.issue({ commonName: "lost-upload.example.org", days: 90 });
    cdn.sandbox.faults.add({ fault: { kind: "drop-answer" }, method: "POST", path: "/sfd/v2.0/certs", times: 1 });
    const target = createCdnTarget({ endpoint: cdn.sandbox.url }, cdn.sandbox.credentials, cdn.ctx);
    try {
      const deployed = await target.deploy(material);
      expect(deployed).toMatchObject({ changed: true, commonName: "lost-upload.example.org" });
      expect(cdn.sandbox.count("POST /sfd/v2.0/certs")).toBe(1);
      expect(cdn.sandbox.uploadCount).toBe(1);
      expect((await target.verify(deployed.serial)).ok).toBe(true);
    } finally {
      await target.close();
    }
  });

  it("EnOS: an apply carried out but unanswered is found by the CSR's key; one apply, the certificate and its chain returned", async () => {
    const { csr } = await generateKeyAndCsr({ keyType: "rsa", commonName: "lost.device.example" });
    enos.sandbox.faults.add({
      fault: { kind: "drop-answer" },
      method: "POST",
      path: "/connect-service/v2.0/certificates",
      times: 1,
    });
    const issuer = createEnosIssuer(
      { endpoint: enos.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId" },
      enos.sandbox.credentials,
      enos.ctx,
    );
    try {
      const outcome = await issuer.issue({
        csr,
        commonName: "lost.device.example",
        sans: [],
        reference: "certrelay:lost:",
      });
      expect(outcome.state).toBe("issued");
      if (outcome.state !== "issued") return;
      expect(outcome.certificate).toContain("BEGIN CERTIFICATE");
      expect(outcome.chain).toContain("BEGIN CERTIFICATE");
      expect(enos.sandbox.actionCount("apply")).toBe(1);
      expect(enos.sandbox.certificatesOf("yourDeviceAssetId")).toHaveLength(1);
    } finally {
      await issuer.close();
    }
  });

  it("Yeastar: a certificate/create carried out but unanswered is found by name; one create, and the web server uses it", async () => {
    const material = await yeastar.ca.issue({ commonName: "lost.pbx.example.com", days: 90 });
    yeastar.sandbox.faults.add({
      fault: { kind: "drop-answer" },
      method: "POST",
      path: "/openapi/v1.0/certificate/create",
      times: 1,
    });
    const target = createYeastarTarget({ endpoint: yeastar.sandbox.url }, yeastar.sandbox.credentials, yeastar.ctx);
    try {
      const deployed = await target.deploy(material);
      expect(deployed).toMatchObject({ changed: true, commonName: "lost.pbx.example.com" });
      expect(yeastar.sandbox.count("POST /openapi/v1.0/certificate/create")).toBe(1);
      expect(yeastar.sandbox.servedSerial()).toBe(deployed.serial);
    } finally {
      await target.close();
    }
  });

  it("a write the vendor never carried out still fails, once, with the write's own explanation", async () => {
    const material = await cdn.ca.issue({ commonName: "never-stored.example.org", days: 90 });
    const posts = cdn.sandbox.count("POST /sfd/v2.0/certs");
    const uploads = cdn.sandbox.uploadCount;
    cdn.sandbox.faults.add({ fault: { kind: "drop" }, method: "POST", path: "/sfd/v2.0/certs", times: 1 });
    const target = createCdnTarget({ endpoint: cdn.sandbox.url }, cdn.sandbox.credentials, cdn.ctx);
    try {
      await expect(target.deploy(material)).rejects.toThrow(/not retried because the CDN may already hold it/);
      expect(cdn.sandbox.count("POST /sfd/v2.0/certs")).toBe(posts + 1);
      expect(cdn.sandbox.uploadCount).toBe(uploads);
    } finally {
      await target.close();
    }
  });
});
