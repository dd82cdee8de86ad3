/**
 * EnOS's documented list sample holds a short value in `cert`, not a PEM, and spells `effetiveDate` (sic). certrelay
 * identifies listed certificates by certSN (the decimal serial) and dates, recovers a crashed run's certificate
 * without a second apply, takes the CA chain from `caCert` or else from `certChainURL` as given, and treats any
 * gateway refusal as "one fresh token, then a clear error".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnosIssuer, createEnosTarget, serialOfCertSn } from "../src/providers/enos/index.js";
import type { DeployedCertificate, IssueRequest } from "../src/model.js";
import { certFacts, generateKeyAndCsr, parseBundle } from "../src/x509/index.js";
import { startEnosFixture, type EnosFixture } from "./support/enos.js";
import { startTestServer } from "./support/http-server.js";

const TOKEN = "POST /apim-token-service/v2.0/token/get";

describe("EnOS list answers whose cert is not a PEM", () => {
  let f: EnosFixture;
  const settings = () => ({ endpoint: f.sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId" });

  beforeAll(async () => {
    f = await startEnosFixture({ listCert: "short" });
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("certSN is the serial in decimal, as the apply sample shows (32720 = 0x7FD0)", () => {
    expect(serialOfCertSn("32720")).toBe("7FD0");
  });

  it("a crashed run's certificate is recovered by renewing it with the same CSR: no second apply, one valid certificate, full PEM and chain", async () => {
    const generated = await generateKeyAndCsr({ keyType: "rsa", commonName: "short.device.example" });
    const request: IssueRequest = {
      csr: generated.csr,
      commonName: "short.device.example",
      sans: [],
      reference: "certrelay:short:",
    };
    const crashed = createEnosIssuer(settings(), f.sandbox.credentials, f.ctx);
    const lost = await crashed.issue(request);
    await crashed.close();

    const issuer = createEnosIssuer(settings(), f.sandbox.credentials, f.ctx);
    try {
      const outcome = await issuer.resume(lost.orderId, request);
      if (outcome.state !== "issued") throw new Error(`expected issued, got ${outcome.state}`);
      const bundle = parseBundle(
        { certificate: outcome.certificate, privateKey: generated.privateKey, chain: outcome.chain },
        { now: f.clock.now(), allowReorder: true, requireKey: true },
      );
      expect(bundle.chain.length).toBeGreaterThan(0);
      expect(f.sandbox.actionCount("apply")).toBe(1);
      expect(f.sandbox.actionCount("renew")).toBe(1);
      expect(f.sandbox.certificatesOf("yourDeviceAssetId").filter((c) => c.certStatus === 0)).toHaveLength(1);
    } finally {
      await issuer.close();
    }
  });

  it("the device view lists by certSN and subject, and verify still recognises the serial", async () => {
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    try {
      const held: DeployedCertificate[] = [];
      for await (const c of target.list()) held.push(c);
      const valid = f.sandbox.certificatesOf("yourDeviceAssetId").find((c) => c.certStatus === 0);
      const serial = certFacts(valid?.cert ?? "").serial;
      expect(held.find((c) => c.id === valid?.certSN)).toMatchObject({ serial, commonName: "short.device.example" });
      expect(await target.verify(serial)).toMatchObject({ ok: true, servedSerial: serial });
    } finally {
      await target.close();
    }
  });

  it("without caCert in the answer, the chain is fetched from certChainURL as given", async () => {
    f.sandbox.omitCaCert = true;
    const fetches = f.sandbox.caCertFetches;
    const generated = await generateKeyAndCsr({ keyType: "rsa", commonName: "short.device.example" });
    const issuer = createEnosIssuer(settings(), f.sandbox.credentials, f.ctx);
    try {
      const outcome = await issuer.issue({
        csr: generated.csr,
        commonName: "short.device.example",
        sans: [],
        reference: "certrelay:chain:",
      });
      if (outcome.state !== "issued") throw new Error("expected issued");
      expect(outcome.chain).toBe(f.ca.chainPem);
      expect(f.sandbox.caCertFetches).toBe(fetches + 1);
    } finally {
      f.sandbox.omitCaCert = false;
      await issuer.close();
    }
  });

  it("certChainURL on another host (the EnOS portal) is fetched there, unsigned", async () => {
    const portal = await startTestServer();
    portal.handle(
      () => (_req, res) => res.writeHead(200, { "content-type": "application/x-pem-file" }).end(f.ca.chainPem),
    );
    f.sandbox.omitCaCert = true;
    f.sandbox.certChainOrigin = portal.url;
    const generated = await generateKeyAndCsr({ keyType: "rsa", commonName: "short.device.example" });
    const issuer = createEnosIssuer(settings(), f.sandbox.credentials, f.ctx);
    try {
      const outcome = await issuer.issue({
        csr: generated.csr,
        commonName: "short.device.example",
        sans: [],
        reference: "certrelay:portal:",
      });
      if (outcome.state !== "issued") throw new Error("expected issued");
      expect(outcome.chain).toBe(f.ca.chainPem);
      expect(portal.requests.map((r) => [r.method, r.url])).toEqual([["GET", "/enos/CA/cacert/RSA"]]);
      expect(portal.requests[0]?.headers["apim-signature"]).toBeUndefined();
    } finally {
      f.sandbox.omitCaCert = false;
      f.sandbox.certChainOrigin = undefined;
      await issuer.close();
      await portal.close();
    }
  });

  it("any gateway refusal means one fresh token and one more try", async () => {
    const target = createEnosTarget(settings(), f.sandbox.credentials, f.ctx);
    try {
      await target.verify("01");
      const tokens = f.sandbox.count(TOKEN);
      // an undocumented refusal shape: 403 with APIM status 1202
      f.sandbox.faults.add({
        fault: { kind: "status", status: 403, body: { status: 1202, msg: "The parameter is empty." } },
        method: "GET",
        path: "/connect-service",
        times: 1,
      });
      expect((await target.verify("01")).ok).toBe(false);
      expect(f.sandbox.count(TOKEN)).toBe(tokens + 1);

      f.sandbox.faults.add({
        fault: { kind: "status", status: 401, body: { status: 1202, msg: "The parameter is empty." } },
        method: "GET",
        path: "/connect-service",
        times: 2,
      });
      const error: unknown = await target.verify("01").catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "AUTH_FAILED", vendor: "enos", field: "appKey" });
      expect((error as Error).message).toMatch(
        /the EnOS gateway refused the certificate list \(1202: The parameter is empty\.\): check appKey and appSecret/,
      );
      expect(f.sandbox.count(TOKEN)).toBe(tokens + 2);
    } finally {
      await target.close();
    }
  });
});
