import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realSleep, systemClock, type Logger } from "../src/model.js";
import { createAcmeIssuer, type AcmeSettings } from "../src/providers/acme/index.js";
import type { ProviderContext } from "../src/providers/context.js";
import { startAcmeResponder, type AcmeResponder } from "../src/sandbox/acme/responder.js";
import { TestCA } from "../src/sandbox/ca.js";
import { FileStore } from "../src/store/index.js";
import { generateKeyAndCsr } from "../src/x509/index.js";
import { startAcmeWorld, type AcmeWorld } from "./support/acme.js";

// Pebble's own example EAB key (pebble-config-external-account-bindings.json)
const EAB_KID = "kid-1";
const EAB_HMAC = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";

describe("acme issuer: External Account Binding and key types", () => {
  let world: AcmeWorld;
  let responder: AcmeResponder;
  let dir: string;
  let store: FileStore;
  const lines: string[] = [];
  const logger: Logger = {
    debug: (m, f) => void lines.push(`${m} ${JSON.stringify(f ?? {})}`),
    info: (m, f) => void lines.push(`${m} ${JSON.stringify(f ?? {})}`),
    warn: (m, f) => void lines.push(`${m} ${JSON.stringify(f ?? {})}`),
    error: (m, f) => void lines.push(`${m} ${JSON.stringify(f ?? {})}`),
  };
  let ctx: ProviderContext;

  beforeAll(async () => {
    const ca = await TestCA.create({ name: "ACME EAB Test" });
    world = await startAcmeWorld({ ca, eab: { [EAB_KID]: EAB_HMAC } });
    responder = await startAcmeResponder({ pebbleAddress: world.pebble.acmeAddress, ca });
    dir = mkdtempSync(join(tmpdir(), "certrelay-acme-eab-"));
    store = new FileStore({ dir });
    await store.putCredentials("certrelay/acme", { eabKid: EAB_KID, eabHmacKey: EAB_HMAC });
    ctx = {
      clock: systemClock,
      sleep: realSleep,
      logger,
      ca: ca.rootPem,
      timeoutMs: 10_000,
      poll: { intervalMs: 25, maxWaitMs: 20_000 },
      aws: world.aws,
      store,
    };
  });
  afterAll(async () => {
    await responder?.stop();
    await world?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const settings = (secret: string, keyType: AcmeSettings["keyType"]): AcmeSettings => ({
    directory: responder.directoryUrl,
    credentials: secret,
    acceptTos: true,
    keyType,
    dns: { provider: "route53", pollingInterval: 1, propagationTimeout: 10 },
  });

  it("a CA that requires EAB and gets none says which keys to add, before registering anything", async () => {
    await store.putCredentials("certrelay/acme-no-eab", {});
    const issuer = createAcmeIssuer(settings("certrelay/acme-no-eab", "ec256"), {}, ctx);
    const { csr } = await generateKeyAndCsr({ keyType: "ecc", commonName: "eab.example.com" });
    await expect(
      issuer.issue({ csr, commonName: "eab.example.com", sans: ["eab.example.com"], reference: "r" }),
    ).rejects.toMatchObject({ code: "INPUT_MISSING", field: "eabKid" });
    await issuer.close();
    expect(responder.newAccountRequests).toBe(0);
  });

  for (const [keyType, check] of [
    ["ec384", (cert: X509Certificate) => expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("secp384r1")],
    ["rsa3072", (cert: X509Certificate) => expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072)],
  ] as const) {
    it(`registers with EAB once and issues a ${keyType} certificate`, async () => {
      const credentials = { eabKid: EAB_KID, eabHmacKey: EAB_HMAC };
      const issuer = createAcmeIssuer(settings("certrelay/acme", keyType), credentials, ctx);
      const generated = await generateKeyAndCsr({
        keyType: issuer.keyType,
        keyOptions: issuer.keyOptions,
        commonName: "eab.example.com",
      });
      const outcome = await issuer.issue({
        csr: generated.csr,
        commonName: "eab.example.com",
        sans: ["eab.example.com"],
        reference: keyType,
      });
      await issuer.close();
      expect(outcome.state).toBe("issued");
      const cert = new X509Certificate(outcome.state === "issued" ? outcome.certificate : "");
      check(cert);
      expect(responder.accountsCreated).toBe(1);
      expect(lines.join("\n")).not.toContain(EAB_HMAC);
      expect(lines.join("\n")).not.toContain("PRIVATE KEY");
    });
  }

  it("validates a wildcard and its apex together: two values under one _acme-challenge name, both removed after", async () => {
    const issuer = createAcmeIssuer(settings("certrelay/acme", "ec256"), {}, ctx);
    const generated = await generateKeyAndCsr({
      keyType: issuer.keyType,
      keyOptions: issuer.keyOptions,
      commonName: "shop.example.com",
      sans: ["shop.example.com", "*.shop.example.com"],
    });
    const outcome = await issuer.issue({
      csr: generated.csr,
      commonName: "shop.example.com",
      sans: ["shop.example.com", "*.shop.example.com"],
      reference: "wildcard",
    });
    await issuer.close();
    expect(outcome.state).toBe("issued");
    const cert = new X509Certificate(outcome.state === "issued" ? outcome.certificate : "");
    expect(cert.subjectAltName).toContain("DNS:*.shop.example.com");
    expect(cert.subjectAltName).toContain("DNS:shop.example.com");
    expect(await world.txtRecordsInZone()).toEqual([]);
  });
});
