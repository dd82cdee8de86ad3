import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../src/sandbox/cdn/server.js";
import { startYeastarSandbox, type YeastarSandbox } from "../src/sandbox/yeastar/server.js";
import { assertBundleExists, errorLines, expectNoSecrets, runAction, type ActionRun } from "./support/action.js";

/**
 * The built Action failing the ways users see most: wrong credentials, an endpoint behind a private CA, a bad input.
 * Every failure sets status/changed/error-code/message outputs, one `::error` line, a failing exit code and a job
 * summary whose title names the provider, and never prints a secret.
 */
describe("action reports failures as well as successes", () => {
  let ca: TestCA;
  let cdn: CdnSandbox;
  let pbx: YeastarSandbox;
  let privateCaServer: Server;
  let privateCaUrl: string;
  let material: CertificateMaterial;

  beforeAll(async () => {
    assertBundleExists();
    ca = await TestCA.create({ name: "Action Failures" });
    cdn = await startCdnSandbox({ ca, edge: false });
    pbx = await startYeastarSandbox({ ca });
    material = await ca.issue({ commonName: "www.example.com", days: 90 });
    // an HTTPS endpoint whose certificate comes from a private CA the runner does not trust
    const listener = await ca.issue({ commonName: "localhost", sans: ["localhost"] });
    privateCaServer = createServer(
      { cert: `${listener.certificate}${listener.chain}`, key: listener.privateKey },
      (_req, res) => res.end("{}"),
    );
    await new Promise<void>((resolve) => privateCaServer.listen(0, "127.0.0.1", resolve));
    privateCaUrl = `https://localhost:${(privateCaServer.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await cdn?.stop();
    await pbx?.stop();
    await new Promise<void>((resolve) => (privateCaServer ? privateCaServer.close(() => resolve()) : resolve()));
  });

  function expectReportedFailure(run: ActionRun, code: string, provider: string): void {
    expect(run.code).toBe(1);
    expect(run.outputs.status).toBe("failed");
    expect(run.outputs.changed).toBe("false");
    expect(run.outputs["error-code"]).toBe(code);
    expect(run.outputs.message).toMatch(new RegExp(`^${code}: `));
    const errors = errorLines(run);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`::${code}: `);
    expect(run.summary).toContain(`## ❌ certrelay deploy ${provider}`);
    expect(run.summary).toContain(code);
    // GitHub's runner never sees a crash: the step fails by exit code, not by an exception trace
    expect(run.stderr).not.toMatch(/TypeError|at .*index\.js/);
  }

  it("wrong CDN keys: AUTH_FAILED naming both credential inputs, no secret printed", async () => {
    const wrongSecret = "wrong-secret-Qm4Xr8Tz2Lp6";
    const run = await runAction({
      provider: "cdn",
      endpoint: cdn.url,
      certificate: material.certificate,
      "private-key": material.privateKey,
      chain: material.chain,
      "access-key-id": cdn.credentials.accessKeyId,
      "access-key-secret": wrongSecret,
      "verify-host": "www.example.com",
    });
    expectReportedFailure(run, "AUTH_FAILED", "cdn");
    expect(run.outputs.message).toContain("'access-key-id'");
    expect(run.outputs.message).toContain("'access-key-secret'");
    expectNoSecrets(run, [wrongSecret, material.privateKey]);
  }, 30_000);

  it("wrong PBX password: AUTH_FAILED naming 'username' and 'password'", async () => {
    const run = await runAction({
      provider: "yeastar",
      endpoint: pbx.url,
      certificate: material.certificate,
      "private-key": material.privateKey,
      chain: material.chain,
      username: pbx.credentials.username,
      password: "not-the-password-8Hq2",
    });
    expectReportedFailure(run, "AUTH_FAILED", "yeastar");
    expect(run.outputs.message).toContain("'username'");
    expect(run.outputs.message).toContain("'password'");
    expectNoSecrets(run, ["not-the-password-8Hq2", material.privateKey]);
  }, 30_000);

  it("an endpoint behind a private CA: NETWORK_ERROR that says to set ca-certificate", async () => {
    const run = await runAction({
      provider: "yeastar",
      endpoint: privateCaUrl,
      certificate: material.certificate,
      "private-key": material.privateKey,
      username: "client-id",
      password: "client-secret-Zr8",
    });
    expectReportedFailure(run, "NETWORK_ERROR", "yeastar");
    expect(run.outputs.message).toContain("set ca-certificate");
    expect(run.outputs.message).not.toContain("ca option");
  }, 30_000);

  it("an input error before any request: the same outputs, and the message names the input", async () => {
    const run = await runAction({
      provider: "cdn",
      endpoint: cdn.url,
      certificate: "not a certificate",
      "private-key": material.privateKey,
      "access-key-id": "id",
      "access-key-secret": "secret-Ab3",
      "verify-host": "www.example.com",
    });
    expectReportedFailure(run, "PEM_MALFORMED", "cdn");
    expect(run.outputs.message).toContain("input 'certificate'");
  }, 30_000);
});
