/**
 * The built Action bundle's `operation: apply` with `provider: acme`, against Pebble + pebble-challtestsrv behind
 * the counting responder, with lego's httpreq DNS provider publishing the TXT records into challtestsrv. Pebble
 * requires External Account Binding here, so the EAB inputs are exercised (and checked for leaks) on every run.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpreqEndpoint, type HttpreqEndpoint } from "../src/sandbox/acme/httpreq-endpoint.js";
import { startPebble, type Pebble } from "../src/sandbox/acme/pebble.js";
import { startAcmeResponder, type AcmeResponder } from "../src/sandbox/acme/responder.js";
import { TestCA } from "../src/sandbox/ca.js";
import { startAcmeWorld, type AcmeWorld } from "./support/acme.js";
import { assertBundleExists, runAction, secretFragments, type ActionRun } from "./support/action.js";

// Pebble's own example EAB key (pebble-config-external-account-bindings.json)
const EAB_KID = "kid-1";
const EAB_HMAC = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
const HTTPREQ_PASSWORD = "httpreq-password-9f3b2c71d0";

describe("action apply with provider acme (built bundle, Pebble over DNS-01)", () => {
  let ca: TestCA;
  let pebble: Pebble;
  let responder: AcmeResponder;
  let dns: HttpreqEndpoint;
  /** the "wrong TXT" case: challtestsrv serves something other than what certrelay published */
  let tamper = false;
  let accountKey = "";

  beforeAll(async () => {
    assertBundleExists();
    ca = await TestCA.create({ name: "Action ACME Test" });
    pebble = await startPebble({ ca, eab: { [EAB_KID]: EAB_HMAC } });
    responder = await startAcmeResponder({ pebbleAddress: pebble.acmeAddress, ca });
    dns = await startHttpreqEndpoint(
      (fqdn, values) =>
        pebble.setTxt(fqdn, tamper && values.length > 0 ? ["not-the-key-authorization-digest"] : values),
      { username: "certrelay", password: HTTPREQ_PASSWORD },
    );
  });
  afterAll(async () => {
    await dns?.stop();
    await responder?.stop();
    await pebble?.stop();
  });

  const inputs = (extra: Record<string, string> = {}) => ({
    provider: "acme",
    operation: "apply",
    endpoint: responder.directoryUrl,
    "ca-certificate": ca.rootPem,
    "common-name": "www.example.com",
    sans: "www.example.com, api.example.com",
    "acme-email": "ops@example.com",
    "acme-accept-tos": "true",
    "acme-eab-kid": EAB_KID,
    "acme-eab-hmac-key": EAB_HMAC,
    "acme-key-type": "ec256",
    "dns-provider": "httpreq",
    "dns-credentials": JSON.stringify({
      HTTPREQ_ENDPOINT: dns.url,
      HTTPREQ_USERNAME: "certrelay",
      HTTPREQ_PASSWORD,
      HTTPREQ_POLLING_INTERVAL: 1,
      HTTPREQ_PROPAGATION_TIMEOUT: 10,
    }),
    "wait-seconds": "30",
    ...extra,
  });

  /** What a log reader sees: stdout (the runner consumes `::add-mask::` lines), stderr and the job summary. */
  function expectNoSecretsShown(run: ActionRun, secrets: string[]): void {
    const stdout = run.stdout
      .split("\n")
      .filter((line) => !line.startsWith("::add-mask::"))
      .join("\n");
    for (const secret of secrets) {
      for (const fragment of secretFragments(secret)) {
        for (const [where, text] of [
          ["stdout", stdout],
          ["stderr", run.stderr],
          ["summary", run.summary],
        ] as const) {
          expect(text.includes(fragment), `a secret fragment appeared in ${where}`).toBe(false);
        }
      }
    }
  }

  /** Every line of a PEM secret is registered with the runner's masker before it could be printed. */
  function expectMasked(run: ActionRun, secret: string): void {
    const masks = new Set(
      run.stdout
        .split("\n")
        .filter((l) => l.startsWith("::add-mask::"))
        .map((l) => l.slice("::add-mask::".length)),
    );
    for (const fragment of secretFragments(secret))
      expect(masks.has(fragment), "a secret line was not masked").toBe(true);
  }

  it("issues a certificate over DNS-01 whose key is the private-key output, and returns a new account key, masked", async () => {
    const run = await runAction(inputs());
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.status).toBe("issued");
    const leaf = new X509Certificate(run.outputs.certificate ?? "");
    expect(leaf.subjectAltName).toContain("DNS:www.example.com");
    expect(leaf.subjectAltName).toContain("DNS:api.example.com");
    const key = createPrivateKey(run.outputs["private-key"] ?? "");
    expect(key.asymmetricKeyType).toBe("ec");
    expect(
      createPublicKey(key)
        .export({ type: "spki", format: "der" })
        .equals(leaf.publicKey.export({ type: "spki", format: "der" })),
    ).toBe(true);
    // the chain leads to Pebble's issuing root
    const chain = run.outputs.chain ?? "";
    expect(chain).toContain("BEGIN CERTIFICATE");
    expect(leaf.checkIssued(new X509Certificate(chain))).toBe(true);

    accountKey = run.outputs["acme-account-key"] ?? "";
    expect(createPrivateKey(accountKey).type).toBe("private");
    expect(run.stdout).toMatch(
      /::warning title=certrelay new ACME account::a new ACME account was created for this run: save the output acme-account-key as a repository secret/,
    );
    expect(responder.accountsCreated).toBe(1);
    // the TXT records were removed after validation
    expect(dns.records.size).toBe(0);

    expectMasked(run, accountKey);
    expectMasked(run, run.outputs["private-key"] ?? "");
    expectNoSecretsShown(run, [accountKey, run.outputs["private-key"] ?? "", EAB_HMAC, HTTPREQ_PASSWORD]);
  });

  it("reusing the account key output creates no second account and says nothing about a new one", async () => {
    const before = responder.newAccountRequests;
    const run = await runAction(inputs({ "acme-account-key": accountKey }));
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.status).toBe("issued");
    // the key's existing account is looked up (RFC 8555 §7.3.1), not a new one created
    expect(responder.newAccountRequests).toBe(before + 1);
    expect(responder.accountsCreated).toBe(1);
    expect(run.outputs["acme-account-key"]).toBeUndefined();
    expect(run.stdout).not.toMatch(/new ACME account/);
    expectNoSecretsShown(run, [accountKey, run.outputs["private-key"] ?? "", EAB_HMAC, HTTPREQ_PASSWORD]);
  });

  it("a wrong TXT record gives status failed with Pebble's problem detail, and the records are removed", async () => {
    tamper = true;
    let run: ActionRun;
    try {
      run = await runAction(inputs({ "acme-account-key": accountKey, "common-name": "bad.example.com", sans: "" }));
    } finally {
      tamper = false;
    }
    expect(run.code).not.toBe(0);
    expect(run.outputs.status).toBe("failed");
    expect(run.outputs["error-code"]).toBe("ISSUANCE_FAILED");
    expect(run.outputs.message).toMatch(
      /could not validate bad\.example\.com over DNS-01: unauthorized \(.*Correct value not found for DNS challenge.*\)/,
    );
    expect(run.stdout).toMatch(/::error.*Correct value not found for DNS challenge/);
    expect(run.summary).toMatch(/Correct value not found for DNS challenge/);
    expect(run.outputs.certificate).toBeUndefined();
    expect(dns.records.size).toBe(0);
    expectNoSecretsShown(run, [accountKey, EAB_HMAC, HTTPREQ_PASSWORD]);
  });

  it("names the input when a CA requires EAB or terms agreement that were not given", async () => {
    const run = await runAction(inputs({ "acme-eab-kid": "", "acme-eab-hmac-key": "" }));
    expect(run.outputs.status).toBe("failed");
    expect(run.outputs.message).toMatch(/External Account Binding.*'acme-eab-kid'/);
    const tos = await runAction(inputs({ "acme-accept-tos": "false" }));
    expect(tos.outputs.status).toBe("failed");
    expect(tos.outputs.message).toMatch(/terms of service.*'acme-accept-tos'/);
    // no account was registered, so there is no account key to save
    expect(tos.outputs["acme-account-key"]).toBeUndefined();
  });
});

describe("action apply with provider acme and dns-provider route53 (the runner's AWS environment, moto)", () => {
  let world: AcmeWorld;
  beforeAll(async () => {
    assertBundleExists();
    world = await startAcmeWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("writes the TXT records with the AWS SDK's environment, issues, and leaves the zone clean", async () => {
    const run = await runAction(
      {
        provider: "acme",
        operation: "apply",
        endpoint: world.pebble.directoryUrl,
        "ca-certificate": world.pebble.listenerCaPem,
        "common-name": "r53.example.com",
        "acme-accept-tos": "true",
        "dns-provider": "route53",
        "dns-credentials": JSON.stringify({
          AWS_HOSTED_ZONE_ID: world.zoneId,
          AWS_POLLING_INTERVAL: 1,
          AWS_PROPAGATION_TIMEOUT: 10,
        }),
        "wait-seconds": "30",
      },
      // what aws-actions/configure-aws-credentials leaves in the job's environment; the endpoint is moto's (behind the bridge)
      {
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL: world.bridge.endpoint,
      },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.status).toBe("issued");
    expect(new X509Certificate(run.outputs.certificate ?? "").subjectAltName).toContain("DNS:r53.example.com");
    expect(await world.txtRecordsInZone()).toEqual([]);
    expect(await world.resolveTxt("_acme-challenge.r53.example.com")).toEqual([]);
  });

  it("refuses DNS settings it does not know, naming the input and the parameter but not its value", async () => {
    const run = await runAction({
      provider: "acme",
      operation: "apply",
      endpoint: world.pebble.directoryUrl,
      "common-name": "r53.example.com",
      "dns-provider": "route53",
      "dns-credentials": JSON.stringify({ AWS_SECRET_ACCESS_KEY: "do-not-print-this-value-7c1e" }),
    });
    expect(run.outputs.status).toBe("failed");
    expect(run.outputs["error-code"]).toBe("INPUT_INVALID");
    expect(run.outputs.message).toMatch(
      /input 'dns-credentials'.*unknown parameter AWS_SECRET_ACCESS_KEY.*runner's AWS credentials/,
    );
    // masked first (the runner consumes ::add-mask:: lines), then never printed
    expect(run.stdout).toContain("::add-mask::do-not-print-this-value-7c1e");
    const shown =
      run.stdout
        .split("\n")
        .filter((line) => !line.startsWith("::add-mask::"))
        .join("\n") +
      run.stderr +
      run.summary;
    expect(shown).not.toContain("do-not-print-this-value-7c1e");
    const missing = await runAction({
      provider: "acme",
      operation: "apply",
      endpoint: "letsencrypt-staging",
      "common-name": "r53.example.com",
    });
    expect(missing.outputs["error-code"]).toBe("INPUT_MISSING");
    expect(missing.outputs.message).toMatch(/input 'dns-provider' is required for provider acme/);
  });
});
