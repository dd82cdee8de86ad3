import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config/index.js";
import { exampleConfig, withLine } from "./support/config-example.js";

async function problemsOf(text: string): Promise<ConfigError> {
  try {
    await parseConfig(text, "certrelay.yml");
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected the config to be rejected");
}

const cdnLine = "      - { provider: cdn,";
const yeastarLine = "      - { provider: yeastar,";

const cases: { what: string; text: string; path: string; says: string }[] = [
  {
    what: "a target endpoint that is not a URL",
    text: withLine(yeastarLine, `      - { provider: yeastar, endpoint: "pbx:8088", credentials: certrelay/pbx }`),
    path: "certificates[0].targets[1].endpoint",
    says: "expected a URL like https://host:port",
  },
  {
    what: "an unknown target provider",
    text: withLine(cdnLine, `      - { provider: akamai, endpoint: "https://cdn", credentials: certrelay/cdn }`),
    path: "certificates[0].targets[0].provider",
    says: "expected target provider yeastar|cdn|enos",
  },
  {
    what: "a provider that cannot issue",
    text: withLine(
      "provider: reseller",
      `    issuer: { provider: cdn, endpoint: "https://cdn", credentials: certrelay/cdn, verifyHost: www.example.com }`,
    ),
    path: "certificates[0].issuer.provider",
    // a PBX applies for its own certificate but keeps the key, so it is no longer offered as an issuer
    says: "expected issuer provider reseller|enos|acme",
  },
  {
    what: "a vendor that obtains certificates but cannot be a pipeline issuer",
    text: withLine(
      "provider: reseller",
      `    issuer: { provider: yeastar, endpoint: "https://pbx", credentials: certrelay/pbx }`,
    ),
    path: "certificates[0].issuer.provider",
    says: "yeastar cannot be a pipeline issuer: a PBX-applied certificate never leaves the PBX",
  },
  {
    what: "a misspelt field",
    text: withLine(
      cdnLine,
      `      - { provider: cdn, endpoint: "https://cdn", credentials: certrelay/cdn, verifyhost: www.example.com }`,
    ),
    path: "certificates[0].targets[0].verifyhost",
    says: "unknown field",
  },
  {
    what: "a missing required field",
    text: withLine(cdnLine, `      - { provider: cdn, endpoint: "https://cdn", verifyHost: www.example.com }`),
    path: "certificates[0].targets[0].credentials",
    says: "required",
  },
  {
    what: "a cdn service to attach to without the domain (verifyHost)",
    text: withLine(
      cdnLine,
      `      - { provider: cdn, endpoint: "https://cdn", credentials: certrelay/cdn, serviceId: svc-1 }`,
    ),
    path: "certificates[0].targets[0].verifyHost",
    says: "required when serviceId is set",
  },
  {
    what: "concurrency out of range",
    text: `concurrency: 65\n${exampleConfig}`,
    path: "concurrency",
    says: "expected a whole number from 1 to 64",
  },
  {
    what: "a certificate name with capitals",
    text: withLine("- name: www", "  - name: WWW"),
    path: "certificates[0].name",
    says: "a-z 0-9",
  },
  {
    what: "a yeastar certificateType outside server|trusted",
    text: withLine(
      yeastarLine,
      `      - { provider: yeastar, endpoint: "https://pbx", credentials: certrelay/pbx, certificateType: client }`,
    ),
    path: "certificates[0].targets[1].certificateType",
    says: "expected server or trusted",
  },
  {
    what: "an enos device named both ways",
    text: withLine(
      "assetId: asset17",
      `      - { provider: enos, endpoint: "https://apigw.example", credentials: certrelay/enos, orgId: o15, assetId: a, productKey: p, deviceKey: d }`,
    ),
    path: "certificates[1].targets[0].assetId",
    says: "either assetId or productKey+deviceKey",
  },
  {
    what: "an enos issueAuthority other than RSA|ECC",
    text: withLine(
      "issueAuthority: ecc",
      `    issuer: { provider: enos, endpoint: "https://apigw.example", credentials: certrelay/enos, orgId: o15, assetId: a, issueAuthority: DSA }`,
    ),
    path: "certificates[1].issuer.issueAuthority",
    says: "expected one of RSA|ECC",
  },
  {
    what: "EMAIL validation without an approver",
    text: withLine(
      "provider: reseller",
      `    issuer: { provider: reseller, endpoint: "https://r.example", credentials: certrelay/reseller, dcvType: email }`,
    ),
    path: "certificates[0].issuer.approverEmail",
    says: "required when dcvType is EMAIL",
  },
  {
    what: "a credentials value that is not a secret id",
    text: withLine(
      cdnLine,
      `      - { provider: cdn, endpoint: "https://cdn", credentials: "my cdn key", verifyHost: www.example.com }`,
    ),
    path: "certificates[0].targets[0].credentials",
    says: "expected a store secret id",
  },
];

describe("an invalid certrelay.yml", () => {
  for (const { what, text, path, says } of cases) {
    it(`names the path of ${what}`, async () => {
      const error = await problemsOf(text);
      expect(error.code).toBe("CONFIG_INVALID");
      expect(error.problems.map((p) => p.path)).toContain(path);
      expect(error.message).toContain(`${path}: `);
      expect(error.problems.find((p) => p.path === path)?.message).toContain(says);
    });
  }

  it("lists every problem at once, each with its line", async () => {
    const text = withLine(
      cdnLine,
      `      - { provider: cdn, endpoint: "nope", credentials: certrelay/cdn, verifyHost: www.example.com }`,
    ).replace("renewBeforeDays: 30", "renewBeforeDays: 0");
    const error = await problemsOf(text);
    expect(error.problems).toEqual([
      { path: "renewBeforeDays", message: "expected a whole number of days from 1 to 365", line: 1 },
      { path: "certificates[0].targets[0].endpoint", message: "expected a URL like https://host:port", line: 11 },
    ]);
    expect(error.message).toContain("certrelay.yml has 2 problems");
    expect(error.message).toContain(
      "certificates[0].targets[0].endpoint: expected a URL like https://host:port (line 11)",
    );
    expect(error.field).toBe("renewBeforeDays");
  });

  it("rejects a file with no certificates", async () => {
    expect((await problemsOf("concurrency: 2\n")).problems).toEqual([
      { path: "certificates", message: "required; expected a list of certificates", line: 1 },
    ]);
  });
});
