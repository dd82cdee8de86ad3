import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../src/sandbox/cdn/server.js";
import { startEnosSandbox, type EnosSandbox } from "../src/sandbox/enos/server.js";
import { generateKeyAndCsr } from "../src/x509/index.js";
import { DEFAULT_PLANS, startResellerSandbox, type ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { startYeastarSandbox, type YeastarSandbox } from "../src/sandbox/yeastar/server.js";
import {
  assertBundleExists,
  errorLines,
  expectNoSecrets,
  runAction,
  secretFragments,
  type ActionRun,
} from "./support/action.js";
import { startTestServer, type TestServer } from "./support/http-server.js";

const PLAN = DEFAULT_PLANS[0]?.id ?? "";
const DNS_SECRET = "dns-secret-value-4f9a2c";

/**
 * Inputs the Action used to take as given: a common name or SANs no CA should issue for (the reseller bought such a
 * certificate), a ca-certificate that is not one (a later, unexplained VERIFY_FAILED), a flag word only some flags
 * took. Each is refused with one line naming the input and the fix, before a single request reaches the vendor.
 */
describe("action checks names, CA certificates and flags before any remote call", () => {
  let ca: TestCA;
  let reseller: ResellerSandbox;
  let enos: EnosSandbox;
  let pbx: YeastarSandbox;
  let cdn: CdnSandbox;
  /** stands in for an ACME directory: any request reaching it is a failure of the check */
  let acme: TestServer;
  let material: CertificateMaterial;
  let secrets: string[];

  beforeAll(async () => {
    assertBundleExists();
    ca = await TestCA.create({ name: "Action Names" });
    [reseller, enos, pbx, cdn, acme, material] = await Promise.all([
      startResellerSandbox({ ca, pollsUntilActive: 1 }),
      startEnosSandbox({ ca }),
      startYeastarSandbox({ ca, applyPolls: 1 }),
      startCdnSandbox({ ca, edge: false }),
      startTestServer(),
      ca.issue({ commonName: "www.example.com" }),
    ]);
    secrets = [
      material.privateKey,
      reseller.credentials.apiKey,
      enos.credentials.appSecret,
      pbx.credentials.password,
      cdn.credentials.accessKeySecret,
      DNS_SECRET,
    ];
  }, 60_000);

  afterAll(async () => {
    await Promise.all([reseller?.stop(), enos?.stop(), pbx?.stop(), cdn?.stop(), acme?.close()]);
  });

  const resellerApply = () => ({
    provider: "reseller",
    operation: "apply",
    endpoint: reseller.url,
    username: reseller.credentials.username,
    "api-key": reseller.credentials.apiKey,
    plan: PLAN,
    "dcv-type": "DNS",
    "common-name": "shop.example.com",
    "wait-seconds": "10",
  });
  const enosApply = () => ({
    provider: "enos",
    operation: "apply",
    endpoint: enos.url,
    "app-key": enos.credentials.appKey,
    "app-secret": enos.credentials.appSecret,
    "org-id": enos.orgId,
    "asset-id": "yourDeviceAssetId",
    "common-name": "device.example.com",
  });
  const acmeApply = () => ({
    provider: "acme",
    operation: "apply",
    endpoint: `${acme.url}/dir`,
    "common-name": "www.example.com",
    "acme-accept-tos": "true",
    "dns-provider": "httpreq",
    "dns-credentials": JSON.stringify({ HTTPREQ_ENDPOINT: `${acme.url}/dns`, HTTPREQ_PASSWORD: DNS_SECRET }),
  });
  const yeastarApply = () => ({
    provider: "yeastar",
    operation: "apply",
    endpoint: pbx.url,
    username: pbx.credentials.username,
    password: pbx.credentials.password,
    "common-name": "voice.example.com",
    "dns-provider": "alidns",
    "dns-credentials": JSON.stringify({ AccessKeyId: "LTAI-demo", AccessKeySecret: DNS_SECRET }),
  });
  const cdnDeploy = () => ({
    provider: "cdn",
    endpoint: cdn.url,
    certificate: material.certificate,
    "private-key": material.privateKey,
    chain: material.chain,
    "access-key-id": cdn.credentials.accessKeyId,
    "access-key-secret": cdn.credentials.accessKeySecret,
  });

  /** every request any stand-in vendor has received so far */
  function requestsSoFar(): number {
    return reseller.requestCount + enos.requestCount + pbx.requestCount + cdn.requestCount + acme.requests.length;
  }

  function expectRefused(run: ActionRun, input: string, fix: RegExp, code = /^[A-Z_]+$/): void {
    expect(run.code).toBe(1);
    const errors = errorLines(run);
    expect(errors, run.stdout).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error::[A-Z_]+: /);
    expect(errors[0]).toContain(`'${input}'`);
    expect(errors[0]).toMatch(fix);
    expect(run.outputs.status).toBe("failed");
    expect(run.outputs.changed).toBe("false");
    expect(run.outputs["error-code"]).toMatch(code);
    expectNoSecrets(run, secrets);
  }

  const badNames: { name: string; inputs: () => Record<string, string> }[] = [
    { name: "reseller apply", inputs: resellerApply },
    { name: "enos apply", inputs: enosApply },
    { name: "acme apply", inputs: acmeApply },
    { name: "yeastar's own apply", inputs: yeastarApply },
  ];

  for (const c of badNames) {
    it(`${c.name}: a common-name that is no host name is refused, nothing sent`, async () => {
      const before = requestsSoFar();
      const run = await runAction({ ...c.inputs(), "common-name": "bad_name!" });
      expectRefused(run, "common-name", /Expected a host name like www\.example\.com/);
      expect(run.outputs["error-code"]).toBe("INPUT_INVALID");
      expect(requestsSoFar() - before).toBe(0);
    }, 30_000);
  }

  for (const c of badNames.filter((b) => b.name !== "yeastar's own apply")) {
    it(`${c.name}: sans that are no host names are refused, nothing sent`, async () => {
      const before = requestsSoFar();
      const run = await runAction({ ...c.inputs(), sans: "a.example.com;;b, -x-" });
      expectRefused(run, "sans", /Expected a list of host names .*item 1 of 2 is not one/);
      expect(requestsSoFar() - before).toBe(0);
    }, 30_000);
  }

  it("the user's trial: reseller apply with both bad names buys nothing", async () => {
    const purchases = reseller.purchases;
    const before = reseller.requestCount;
    const run = await runAction({ ...resellerApply(), "common-name": "bad_name!", sans: "a.example.com;;b, -x-" });
    expectRefused(run, "common-name", /host name/);
    expect(run.outputs.status).not.toBe("issued");
    expect(reseller.purchases).toBe(purchases);
    expect(reseller.requestCount).toBe(before);
  }, 30_000);

  for (const c of badNames.filter((b) => b.name === "reseller apply" || b.name === "enos apply")) {
    it(`${c.name}: a csr asking for names that are no host names is refused, nothing sent`, async () => {
      const { csr } = await generateKeyAndCsr({
        keyType: "rsa",
        commonName: "shop.example.com",
        sans: ["shop.example.com", "-x-"],
      });
      const before = requestsSoFar();
      const run = await runAction({ ...c.inputs(), csr });
      expectRefused(run, "csr", /name 3 of 3 in the CSR .* is not a host name/);
      expect(run.outputs["error-code"]).toBe("CSR_INVALID");
      expect(requestsSoFar() - before).toBe(0);
    }, 30_000);
  }

  it("good names, a wildcard among them, still order", async () => {
    const run = await runAction({ ...resellerApply(), sans: "shop.example.com, *.shop.example.com" });
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.outputs.status).toBe("issued");
  }, 30_000);

  it("a ca-certificate that is not PEM is refused naming it, nothing sent", async () => {
    const before = requestsSoFar();
    const run = await runAction({ ...cdnDeploy(), "ca-certificate": "garbage" });
    expectRefused(run, "ca-certificate", /PEM|BEGIN/, /^PEM_(MALFORMED|EMPTY)$/);
    expect(requestsSoFar() - before).toBe(0);
  }, 30_000);

  it("a private key pasted as ca-certificate is refused without being echoed, nothing sent", async () => {
    const before = requestsSoFar();
    const run = await runAction({ ...cdnDeploy(), "ca-certificate": material.privateKey });
    expectRefused(run, "ca-certificate", /is a private key, not a CA certificate/, /^PEM_WRONG_TYPE$/);
    expect(run.stdout).not.toMatch(/^::error::.*PRIVATE KEY-----/m);
    expect(requestsSoFar() - before).toBe(0);
  }, 30_000);

  for (const input of ["chain", "certificate", "ca-certificate"] as const) {
    it(`a private key pasted into ${input} is masked line by line before it is refused, nothing sent`, async () => {
      // a key of its own: the deploy's private-key input would mask material.privateKey anyway
      const { privateKey: stray } = await generateKeyAndCsr({ keyType: "rsa", commonName: "stray.example.com" });
      const before = requestsSoFar();
      const run = await runAction({
        provider: "yeastar",
        endpoint: pbx.url,
        username: pbx.credentials.username,
        password: pbx.credentials.password,
        certificate: material.certificate,
        "private-key": material.privateKey,
        chain: material.chain,
        [input]: stray,
      });
      expect(run.code).toBe(1);
      expect(errorLines(run)[0]).toContain(input);
      const masked = run.stdout
        .split("\n")
        .filter((line) => line.startsWith("::add-mask::"))
        .map((line) => line.slice("::add-mask::".length));
      for (const fragment of secretFragments(stray)) expect(masked).toContain(fragment);
      expectNoSecrets(run, [...secrets, stray]);
      expect(requestsSoFar() - before).toBe(0);
    }, 30_000);
  }

  it("a CSR as ca-certificate is refused naming it", async () => {
    const before = requestsSoFar();
    const csr = `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from("0\u0003\u0002\u0001\u0000", "latin1").toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
    const run = await runAction({ ...cdnDeploy(), "ca-certificate": csr });
    expectRefused(run, "ca-certificate", /not a CERTIFICATE/);
    expect(requestsSoFar() - before).toBe(0);
  }, 30_000);

  it("a real CA certificate is taken (the deploy goes ahead)", async () => {
    const run = await runAction({ ...cdnDeploy(), "ca-certificate": ca.rootPem });
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.code).toBe(0);
  }, 30_000);

  for (const [input, value] of [
    ["prune-old", "yes"],
    ["prune-old", "1"],
    ["dry-run", "yes"],
    ["dry-run", "maybe"],
    ["allow-insecure", "on"],
  ] as const) {
    it(`flag ${input}: "${value}" is refused as every flag refuses a word other than true/false`, async () => {
      const before = requestsSoFar();
      const run = await runAction({
        provider: "yeastar",
        endpoint: pbx.url,
        username: pbx.credentials.username,
        password: pbx.credentials.password,
        certificate: material.certificate,
        "private-key": material.privateKey,
        chain: material.chain,
        [input]: value,
      });
      expectRefused(run, input, /Expected true or false/);
      expect(run.outputs["error-code"]).toBe("INPUT_INVALID");
      expect(requestsSoFar() - before).toBe(0);
    }, 30_000);
  }

  it("flags take true/false in any case", async () => {
    const run = await runAction({
      provider: "yeastar",
      endpoint: pbx.url,
      username: pbx.credentials.username,
      password: pbx.credentials.password,
      certificate: material.certificate,
      "private-key": material.privateKey,
      chain: material.chain,
      "prune-old": "True",
      "dry-run": "TRUE",
    });
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.outputs.status).toBe("would-deploy");
  }, 30_000);
});
