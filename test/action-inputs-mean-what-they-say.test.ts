import { X509Certificate, createPrivateKey, generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../src/sandbox/cdn/server.js";
import { startEnosSandbox, type EnosSandbox } from "../src/sandbox/enos/server.js";
import { startYeastarSandbox, type YeastarSandbox } from "../src/sandbox/yeastar/server.js";
import { generateKeyAndCsr } from "../src/x509/index.js";
import { assertBundleExists, errorLines, expectNoSecrets, runAction } from "./support/action.js";

function pem(key: ReturnType<typeof generateKeyPairSync>["privateKey"]): string {
  return String(key.export({ type: "pkcs8", format: "pem" }));
}

/** `::warning title=certrelay unused input::...` lines */
function unusedWarnings(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line.startsWith("::warning title=certrelay unused input::"));
}

// The built Action does what its inputs say: a given key is the certificate's key, a CA goes on a PBX's trusted
// list, a CDN deploy without verify-host is verified through the API, and an input nobody reads is a warning.
describe("action inputs mean what they say", () => {
  let ca: TestCA;
  let enos: EnosSandbox;
  let cdn: CdnSandbox;
  let pbx: YeastarSandbox;
  let material: CertificateMaterial;
  let enosBase: Record<string, string>;
  let cdnBase: Record<string, string>;

  beforeAll(async () => {
    assertBundleExists();
    ca = await TestCA.create({ name: "Action Inputs Mean" });
    [enos, cdn, pbx] = await Promise.all([
      startEnosSandbox({
        ca,
        devices: ["device-with-own-key", "device-with-rsa-key"].map((assetId) => ({
          assetId,
          productKey: "yourProductKey",
          deviceKey: assetId,
        })),
      }),
      startCdnSandbox({ ca }),
      startYeastarSandbox({ ca }),
    ]);
    material = await ca.issue({ commonName: "www.example.com", days: 90 });
    enosBase = {
      provider: "enos",
      endpoint: enos.url,
      "app-key": enos.credentials.appKey,
      "app-secret": enos.credentials.appSecret,
      "org-id": enos.orgId,
      operation: "apply",
    };
    cdnBase = {
      provider: "cdn",
      endpoint: cdn.url,
      "access-key-id": cdn.credentials.accessKeyId,
      "access-key-secret": cdn.credentials.accessKeySecret,
      "ca-certificate": ca.rootPem,
    };
  }, 60_000);

  afterAll(async () => {
    await Promise.all([enos?.stop(), cdn?.stop(), pbx?.stop()]);
  });

  it("apply with private-key: the certificate is for that key (an EC key picks ECC), and no key is output", async () => {
    const key = pem(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
    const run = await runAction({ ...enosBase, "asset-id": "device-with-own-key", "private-key": key });
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.outputs.status).toBe("issued");
    const certificate = new X509Certificate(run.outputs.certificate ?? "");
    expect(certificate.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(run.outputs["private-key"]).toBeUndefined();
    expectNoSecrets(run, [key]);
  }, 30_000);

  it("apply with an RSA key: the certificate is RSA and for that key", async () => {
    const key = pem(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
    const run = await runAction({
      ...enosBase,
      "asset-id": "device-with-rsa-key",
      "private-key": key,
      "issue-authority": "RSA",
    });
    expect(errorLines(run), run.stdout).toEqual([]);
    const certificate = new X509Certificate(run.outputs.certificate ?? "");
    expect(certificate.publicKey.asymmetricKeyType).toBe("rsa");
    expect(certificate.checkPrivateKey(createPrivateKey(key))).toBe(true);
  }, 30_000);

  it("apply with an EC key and issue-authority RSA: refused before any request, naming both inputs", async () => {
    const before = enos.requestCount;
    const key = pem(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
    const run = await runAction({
      ...enosBase,
      "asset-id": "device-mismatch",
      "private-key": key,
      "issue-authority": "RSA",
    });
    expect(run.code).toBe(1);
    expect(run.outputs["error-code"]).toBe("INPUT_INVALID");
    expect(run.outputs.message).toContain("'issue-authority'");
    expect(run.outputs.message).toContain("'private-key'");
    expect(enos.requestCount).toBe(before);
  }, 30_000);

  it("apply with a csr and a private-key that do not belong together: KEY_MISMATCH before any request", async () => {
    const before = enos.requestCount;
    const { csr } = await generateKeyAndCsr({ keyType: "ecc", commonName: "device-csr" });
    const otherKey = pem(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
    const run = await runAction({
      ...enosBase,
      "asset-id": "device-csr",
      csr,
      "private-key": otherKey,
      "issue-authority": "ECC",
    });
    expect(run.code).toBe(1);
    expect(run.outputs["error-code"]).toBe("KEY_MISMATCH");
    expect(run.outputs.message).toContain("'csr'");
    expect(enos.requestCount).toBe(before);
    expectNoSecrets(run, [otherKey]);
  }, 30_000);

  it("an input the provider and operation do not use is a warning naming it", async () => {
    const run = await runAction({
      ...cdnBase,
      certificate: material.certificate,
      "private-key": material.privateKey,
      chain: material.chain,
      plan: "3f7830c3-3fa4-404d-908f-35daaa1cd17b",
      "dns-provider": "alidns",
    });
    expect(run.code).toBe(0);
    const warnings = unusedWarnings(run.stdout);
    expect(warnings).toHaveLength(2);
    expect(warnings.join("\n")).toContain("input 'plan' is set but not used by operation deploy with provider cdn");
    expect(warnings.join("\n")).toContain("input 'dns-provider'");
  }, 30_000);

  it("inputs left at their action.yml defaults are not reported as unused", async () => {
    const run = await runAction({
      ...cdnBase,
      operation: "check",
      certificate: material.certificate,
      "wait-seconds": "300",
      "dry-run": "false",
      "edge-wait-seconds": "300",
    });
    expect(run.code).toBe(0);
    // the credentials and ca-certificate are given but a check of a given certificate reads none of them
    expect(
      unusedWarnings(run.stdout)
        .map((w) => /input '([^']+)'/.exec(w)?.[1])
        .sort(),
    ).toEqual(["access-key-id", "access-key-secret"]);
  }, 30_000);

  it("an http:// endpoint on another machine is refused before any request unless allow-insecure (loopback needs no flag)", async () => {
    const refused = await runAction({
      provider: "cdn",
      endpoint: "http://cdn.example.com",
      operation: "deploy",
      certificate: material.certificate,
      "private-key": material.privateKey,
      "access-key-id": "AKID-insecure",
      "access-key-secret": "never-sent-in-clear",
    });
    expect(refused.code).toBe(1);
    expect(refused.outputs["error-code"]).toBe("INPUT_INVALID");
    expect(refused.stdout).toMatch(
      /input 'endpoint' uses http:\/\/ to another machine.*set input 'allow-insecure' to true/,
    );
    // refused before any request: nothing tried to reach the host (no network error, no retry)
    expect(refused.stdout).not.toMatch(/ENOTFOUND|NETWORK_ERROR|retried/);
    // only the runner's mask registration carries it
    expect(refused.stdout.split("\n").filter((line) => !line.startsWith("::add-mask::"))).not.toContainEqual(
      expect.stringContaining("never-sent-in-clear"),
    );
    const remote = await runAction({
      provider: "cdn",
      endpoint: "http://cdn.example.com",
      operation: "check",
      certificate: material.certificate,
      "allow-insecure": "true",
    });
    expect(remote.code).toBe(0);
    expect(remote.stdout).toContain(
      "::warning title=certrelay insecure endpoint::input 'endpoint' uses http:// to another machine",
    );
    const local = await runAction({
      provider: "cdn",
      endpoint: cdn.url,
      operation: "check",
      certificate: material.certificate,
    });
    expect(local.stdout).not.toContain("certrelay insecure endpoint");
  }, 30_000);

  it("CDN deploy without verify-host: verified through the API, and the summary says the edge was not probed", async () => {
    const own = await ca.issue({ commonName: "api-only.example.com", days: 60 });
    const run = await runAction({
      ...cdnBase,
      certificate: own.certificate,
      "private-key": own.privateKey,
      chain: own.chain,
    });
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.outputs.status).toBe("deployed");
    expect(run.outputs.changed).toBe("true");
    expect(run.outputs.message).toMatch(/is on the CDN \(record \d+, expireIn (59|60) days\)/);
    expect(run.outputs.message).toContain("the edge was not probed: set verify-host");
    expect(run.summary).toContain("the edge was not probed");
  }, 30_000);

  it("CDN deploy with verify-host but no service-id: fails at once saying an unattached certificate is not served", async () => {
    const own = await ca.issue({ commonName: "unattached.example.com", days: 60 });
    const run = await runAction({
      ...cdnBase,
      certificate: own.certificate,
      "private-key": own.privateKey,
      chain: own.chain,
      "verify-host": "elsewhere.example.com",
      "verify-address": `127.0.0.1:${cdn.edgePort}`,
    });
    expect(run.code).toBe(1);
    expect(run.outputs.status).toBe("failed");
    expect(run.outputs.changed).toBe("true"); // the upload happened
    expect(run.outputs["error-code"]).toBe("VERIFY_FAILED");
    expect(run.outputs.message).toContain("without service-id the uploaded certificate is attached to no domain");
    expect(run.outputs.message).not.toMatch(/still after \d+ checks/);
  }, 30_000);

  it("yeastar certificate-type trusted takes a CA certificate without a key", async () => {
    const run = await runAction({
      provider: "yeastar",
      endpoint: pbx.url,
      username: pbx.credentials.username,
      password: pbx.credentials.password,
      "certificate-type": "trusted",
      certificate: ca.rootPem,
    });
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe("deployed");
  }, 30_000);

  it("yeastar certificate-type trusted refuses a server certificate, naming the input", async () => {
    const run = await runAction({
      provider: "yeastar",
      endpoint: pbx.url,
      username: pbx.credentials.username,
      password: pbx.credentials.password,
      "certificate-type": "trusted",
      certificate: material.certificate,
    });
    expect(run.code).toBe(1);
    expect(run.outputs["error-code"]).toBe("INPUT_INVALID");
    expect(run.outputs.message).toContain("'certificate'");
    expect(run.outputs.message).toContain("not a CA certificate");
  }, 30_000);
});
