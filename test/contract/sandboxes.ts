/**
 * One sandbox factory per vendor and role: the only vendor-specific part of the contract runs. A new vendor gets
 * both contracts by adding its factories here (the run fails for a listed vendor without one).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realSleep, systemClock } from "../../src/model.js";
import { createEnosIssuer } from "../../src/providers/enos/index.js";
import { startHttpreqEndpoint } from "../../src/sandbox/acme/httpreq-endpoint.js";
import { startPebble } from "../../src/sandbox/acme/pebble.js";
import { startAcmeResponder } from "../../src/sandbox/acme/responder.js";
import { TestCA } from "../../src/sandbox/ca.js";
import { startCdnSandbox } from "../../src/sandbox/cdn/server.js";
import { startEnosSandbox } from "../../src/sandbox/enos/server.js";
import { startResellerSandbox } from "../../src/sandbox/reseller/server.js";
import { startYeastarSandbox } from "../../src/sandbox/yeastar/server.js";
import { FileStore } from "../../src/store/index.js";
import { generateKeyAndCsr } from "../../src/x509/index.js";
import { contractContext } from "./build.js";
import type { IssuerSubject, KnownGaps, TargetSubject } from "./subject.js";

export interface ContractSandbox {
  target?: () => Promise<TargetSubject>;
  issuer?: () => Promise<IssuerSubject>;
  /** properties this vendor is known to break (reported as findings; see KnownGaps) */
  targetGaps?: KnownGaps;
  issuerGaps?: KnownGaps;
}

const YEASTAR_API = "/openapi/v1.0";
const ENOS_CERTIFICATES = "/connect-service/v2.0/certificates";

async function request(reference: string, keyType: "rsa" | "ecc", commonName: string) {
  const { csr } = await generateKeyAndCsr({ keyType, commonName, sans: [commonName] });
  return { csr, commonName, sans: [commonName], reference };
}

async function yeastarTarget(): Promise<TargetSubject> {
  const ca = await TestCA.create({ name: "Contract PBX" });
  const sandbox = await startYeastarSandbox({ ca });
  // the PBX's writes: file upload, certificate create/update/delete (delete is a GET), web server choice
  const writes = [
    "POST /certificate/upload",
    "POST /certificate/create",
    "POST /certificate/update",
    "GET /certificate/delete",
    "POST /webserver/update",
  ].map((k) => k.replace(" /", ` ${YEASTAR_API}/`));
  return {
    entry: { provider: "yeastar", endpoint: sandbox.url, certificateType: "server" },
    credentials: sandbox.credentials,
    material: () => ca.issue({ commonName: "pbx.contract.example", days: 90 }),
    writes: () => writes.reduce((n, key) => n + sandbox.count(key), 0),
    write: { method: "POST", path: `${YEASTAR_API}/certificate/upload`, key: `POST ${YEASTAR_API}/certificate/upload` },
    // the upload only stages a file; create (or the in-place update of a rotation) is what the PBX then holds
    landing: {
      method: "POST",
      path: /\/certificate\/(create|update)$/,
      keys: [`POST ${YEASTAR_API}/certificate/create`, `POST ${YEASTAR_API}/certificate/update`],
    },
    sandbox,
    trust: ca.rootPem,
    stop: () => sandbox.stop(),
  };
}

async function cdnTarget(): Promise<TargetSubject> {
  const ca = await TestCA.create({ name: "Contract CDN" });
  const sandbox = await startCdnSandbox({ ca });
  const host = "www.contract.example";
  return {
    // verified at the HTTPS edge (SNI, chain trusted up to the test CA), the way a user with a CDN domain runs it
    entry: {
      provider: "cdn",
      endpoint: sandbox.url,
      verifyHost: host,
      verifyAddress: `127.0.0.1:${sandbox.edgePort}`,
      serviceId: "svc-contract",
    },
    credentials: sandbox.credentials,
    material: () => ca.issue({ commonName: host, sans: [host], days: 90 }),
    writes: () =>
      sandbox.count("POST /sfd/v2.0/certs") +
      sandbox.count("POST /cdn/v1.0/services/:serviceId/certificates") +
      sandbox.count("DELETE /sfd/v2.0/certs/:id"),
    write: { method: "POST", path: "/sfd/v2.0/certs", key: "POST /sfd/v2.0/certs" },
    landing: { method: "POST", path: /^\/sfd\/v2\.0\/certs$/, keys: ["POST /sfd/v2.0/certs"] },
    sandbox,
    trust: ca.rootPem,
    stop: () => sandbox.stop(),
  };
}

async function enosTarget(): Promise<TargetSubject> {
  const ca = await TestCA.create({ name: "Contract EnOS" });
  const sandbox = await startEnosSandbox({ ca });
  const settings = { endpoint: sandbox.url, orgId: "yourOrgId", assetId: "yourDeviceAssetId" };
  return {
    entry: { provider: "enos", ...settings },
    credentials: sandbox.credentials,
    // EnOS binds a certificate to the device when it issues it: the material a target can hold comes from EnOS
    async material() {
      const { csr, privateKey } = await generateKeyAndCsr({ keyType: "rsa", commonName: "device.contract.example" });
      const issuer = createEnosIssuer(settings, sandbox.credentials, contractContext(ca.rootPem));
      try {
        const outcome = await issuer.issue({
          csr,
          commonName: "device.contract.example",
          sans: [],
          reference: "contract",
        });
        if (outcome.state !== "issued") throw new Error(`EnOS did not issue: ${outcome.detail}`);
        return { certificate: outcome.certificate, chain: outcome.chain, privateKey };
      } finally {
        await issuer.close();
      }
    },
    foreignMaterial: () => ca.issue({ commonName: "device.contract.example", days: 90 }),
    writes: () => sandbox.count(`POST ${ENOS_CERTIFICATES}`),
    sandbox,
    trust: ca.rootPem,
    stop: () => sandbox.stop(),
  };
}

async function resellerIssuer(): Promise<IssuerSubject> {
  const ca = await TestCA.create({ name: "Contract Reseller" });
  const sandbox = await startResellerSandbox({ ca, pollsUntilActive: 1 });
  return {
    entry: { provider: "reseller", endpoint: sandbox.url, plan: sandbox.defaultPlanId, dcvType: "DNS" },
    credentials: { ...sandbox.credentials },
    request: (reference, keyType) => request(reference, keyType, "shop.contract.example"),
    purchases: () => sandbox.purchases,
    buy: { method: "POST", path: /^\/ssl-certificate$/, key: "POST /ssl-certificate" },
    sandbox,
    trust: ca.rootPem,
    stop: () => sandbox.stop(),
  };
}

async function enosIssuer(): Promise<IssuerSubject> {
  const ca = await TestCA.create({ name: "Contract EnOS" });
  const sandbox = await startEnosSandbox({ ca });
  return {
    entry: {
      provider: "enos",
      endpoint: sandbox.url,
      orgId: "yourOrgId",
      assetId: "yourDeviceAssetId",
      issueAuthority: "RSA",
    },
    credentials: sandbox.credentials,
    request: (reference, keyType) => request(reference, keyType, "device.contract.example"),
    purchases: () => sandbox.actionCount("apply") + sandbox.actionCount("renew"),
    buy: { method: "POST", path: ENOS_CERTIFICATES, key: `POST ${ENOS_CERTIFICATES}` },
    sandbox,
    trust: ca.rootPem,
    stop: () => sandbox.stop(),
  };
}

async function acmeIssuer(): Promise<IssuerSubject> {
  const ca = await TestCA.create({ name: "Contract ACME" });
  const stops: { stop(): Promise<void> }[] = [];
  try {
    const pebble = await startPebble({ ca });
    stops.push(pebble);
    const dns = await startHttpreqEndpoint((fqdn, values) => pebble.setTxt(fqdn, values));
    stops.push(dns);
    // the front counts requests and injects faults; Pebble behind it is the CA
    const responder = await startAcmeResponder({ pebbleAddress: pebble.acmeAddress, ca });
    stops.push(responder);
    const dir = mkdtempSync(join(tmpdir(), "certrelay-contract-acme-"));
    stops.push({ stop: async () => rmSync(dir, { recursive: true, force: true }) });
    const store = new FileStore({ dir });
    await store.putCredentials("contract/credentials", {});
    return {
      entry: {
        provider: "acme",
        directory: responder.directoryUrl,
        email: "ops@contract.example",
        acceptTos: true,
        keyType: "rsa2048",
        dns: { provider: "httpreq", endpoint: dns.url, pollingInterval: 1, propagationTimeout: 10 },
      },
      credentials: {},
      request: (reference, keyType) => request(reference, keyType, "acme.contract.example"),
      purchases: () => responder.orders.length,
      buy: { method: "POST", path: /^\/order-plz$/, key: "POST /order-plz" },
      sandbox: responder,
      trust: ca.rootPem + pebble.issuingRootPem,
      // Pebble validates and signs asynchronously: real short sleeps between polls keep them few
      context: { sleep: realSleep, clock: systemClock },
      store,
      stop: async () => {
        await Promise.allSettled(stops.reverse().map((s) => s.stop()));
      },
    };
  } catch (error) {
    await Promise.allSettled(stops.reverse().map((s) => s.stop()));
    throw error;
  }
}

/** By provider name, as `src/providers/index.ts` lists them. */
export const contractSandboxes: Record<string, ContractSandbox> = {
  yeastar: { target: yeastarTarget },
  cdn: { target: cdnTarget },
  enos: { target: enosTarget, issuer: enosIssuer },
  reseller: { issuer: resellerIssuer },
  acme: { issuer: acmeIssuer },
};
