import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../src/sandbox/cdn/server.js";
import { assertBundleExists, errorLines, expectNoSecrets, runAction } from "./support/action.js";

const DAY = 86_400_000;

// Bad input fails the step with one annotation naming the input to fix, before a single request is sent.
describe("action rejects bad input before any remote call", () => {
  let ca: TestCA;
  let sandbox: CdnSandbox;
  let good: CertificateMaterial;
  let other: CertificateMaterial;
  let expired: CertificateMaterial;
  let expiring: CertificateMaterial;

  beforeAll(async () => {
    assertBundleExists();
    ca = await TestCA.create({ name: "Action Inputs" });
    sandbox = await startCdnSandbox({ ca, edge: false });
    const now = Date.now();
    [good, other, expired, expiring] = await Promise.all([
      ca.issue({ commonName: "www.example.com" }),
      ca.issue({ commonName: "www.example.com" }),
      ca.issue({ commonName: "www.example.com", notBefore: new Date(now - 100 * DAY), notAfter: new Date(now - DAY) }),
      ca.issue({
        commonName: "www.example.com",
        notBefore: new Date(now - 80 * DAY),
        notAfter: new Date(now + 3 * DAY),
      }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await sandbox?.stop();
  });

  function inputs(overrides: Record<string, string | undefined>): Record<string, string | undefined> {
    return {
      provider: "cdn",
      endpoint: sandbox.url,
      certificate: good.certificate,
      "private-key": good.privateKey,
      chain: good.chain,
      "access-key-id": sandbox.credentials.accessKeyId,
      "access-key-secret": sandbox.credentials.accessKeySecret,
      "verify-host": "www.example.com",
      ...overrides,
    };
  }

  const cases: { name: string; overrides: () => Record<string, string | undefined>; input: string; message: RegExp }[] =
    [
      {
        name: "a key that does not match the certificate",
        overrides: () => ({ "private-key": other.privateKey }),
        input: "'private-key'",
        message: /KEY_MISMATCH/,
      },
      {
        name: "an expired certificate",
        overrides: () => ({ certificate: expired.certificate, "private-key": expired.privateKey }),
        input: "'certificate'",
        message: /CERT_EXPIRED/,
      },
      {
        name: "a certificate with fewer days left than min-days-left",
        overrides: () => ({ certificate: expiring.certificate, "private-key": expiring.privateKey }),
        input: "'certificate'",
        message: /CERT_EXPIRES_SOON/,
      },
      {
        name: "garbage instead of PEM",
        overrides: () => ({ certificate: "this is not a certificate\nat all" }),
        input: "'certificate'",
        message: /PEM_MALFORMED|PEM_EMPTY/,
      },
      {
        name: "a missing required credential",
        overrides: () => ({ "access-key-secret": undefined }),
        input: "'access-key-secret'",
        message: /INPUT_MISSING.*access-key-secret/,
      },
      {
        name: "a provider setting that needs another",
        overrides: () => ({ "verify-host": undefined, "service-id": "8812" }),
        input: "verify-host",
        message: /verify-host.*required when serviceId is set/,
      },
      {
        name: "an unknown provider",
        overrides: () => ({ provider: "letsencrypt" }),
        input: "'provider'",
        message: /Invalid input 'provider'/,
      },
    ];

  for (const c of cases) {
    it(`fails on ${c.name} with one clear line and sends nothing`, async () => {
      const before = sandbox.requestCount;
      const run = await runAction(inputs(c.overrides()));
      expect(run.code).toBe(1);
      const errors = errorLines(run);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^::error::[A-Z_]+: /);
      expect(errors[0]).toContain(c.input);
      expect(errors[0]).toMatch(c.message);
      expect(sandbox.requestCount - before).toBe(0);
      // a failure is reported as well as a success: a later `if: failure()` step can read what happened
      expect(run.outputs.status).toBe("failed");
      expect(run.outputs.changed).toBe("false");
      expect(run.outputs["error-code"]).toMatch(/^[A-Z_]+$/);
      expect(errors[0]).toContain(`::${run.outputs["error-code"]}: `);
      expect(run.summary).toContain("❌ certrelay deploy");
      expectNoSecrets(run, [
        good.privateKey,
        other.privateKey,
        expiring.privateKey,
        expired.privateKey,
        sandbox.credentials.accessKeySecret,
      ]);
    }, 30_000);
  }

  it("sends nothing at all across every rejected step", () => {
    expect(sandbox.requestCount).toBe(0);
  });
});
