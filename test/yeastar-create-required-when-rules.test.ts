import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, rawCall, rawToken, startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

const alidns = [
  { k: "AccessKeyId", sv: "AKIAEXAMPLE" },
  { k: "AccessKeySecret", sv: "secret-value-1" },
];

describe("certificate/create enforces every 'required when' rule of the spec", () => {
  let f: YeastarFixture;
  let token: string;
  const create = (body: unknown) => rawCall(f.sandbox, "POST", `${API}/certificate/create?access_token=${token}`, body);

  beforeAll(async () => {
    f = await startYeastarFixture();
    token = await rawToken(f.sandbox);
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  const cases: { rule: string; body: Record<string, unknown>; param: string; detail: RegExp }[] = [
    { rule: "type is required", body: { name: "x.crt" }, param: "type", detail: /type is required/ },
    { rule: "type must be trusted or server", body: { type: "client" }, param: "type", detail: /trusted or server/ },
    {
      rule: "ca_type is required when type is server",
      body: { type: "server", name: "x.pem" },
      param: "ca_type",
      detail: /required when type is server/,
    },
    {
      rule: "ca_type must be upload or apply",
      body: { type: "server", ca_type: "import" },
      param: "ca_type",
      detail: /upload or apply/,
    },
    {
      rule: "name is required when type is trusted",
      body: { type: "trusted" },
      param: "name",
      detail: /required when type is trusted/,
    },
    {
      rule: "name is required when server + upload",
      body: { type: "server", ca_type: "upload" },
      param: "name",
      detail: /type is server and ca_type is upload/,
    },
    {
      rule: "issue_to is required when server + apply",
      body: { type: "server", ca_type: "apply", dns_provider: "alidns", auth_info_list: alidns },
      param: "issue_to",
      detail: /type is server and ca_type is apply/,
    },
    {
      rule: "dns_provider is required when server + apply",
      body: { type: "server", ca_type: "apply", issue_to: "pbx.example.com", auth_info_list: alidns },
      param: "dns_provider",
      detail: /dns_provider is required when type is server and ca_type is apply/,
    },
    {
      rule: "auth_info_list is required when server + apply",
      body: { type: "server", ca_type: "apply", issue_to: "pbx.example.com", dns_provider: "alidns" },
      param: "auth_info_list",
      detail: /auth_info_list is required when type is server and ca_type is apply/,
    },
    {
      rule: "dns_provider is required when auto_renewal is 1",
      body: { type: "server", ca_type: "upload", name: "x.pem", auto_renewal: 1, auth_info_list: alidns },
      param: "dns_provider",
      detail: /when auto_renewal is 1/,
    },
    {
      rule: "auth_info_list is required when auto_renewal is 1",
      body: { type: "server", ca_type: "upload", name: "x.pem", auto_renewal: 1, dns_provider: "alidns" },
      param: "auth_info_list",
      detail: /when auto_renewal is 1/,
    },
    {
      rule: "auto_renewal is 0 or 1",
      body: { type: "server", ca_type: "upload", name: "x.pem", auto_renewal: 2 },
      param: "auto_renewal",
      detail: /0 or 1/,
    },
    {
      rule: "the complete alidns set (AccessKeySecret missing)",
      body: {
        type: "server",
        ca_type: "apply",
        issue_to: "pbx.example.com",
        dns_provider: "alidns",
        auth_info_list: [{ k: "AccessKeyId", sv: "AKIAEXAMPLE" }],
      },
      param: "auth_info_list.AccessKeySecret",
      detail: /complete parameter set AccessKeyId \+ AccessKeySecret; missing AccessKeySecret/,
    },
    {
      rule: "the complete cloudflare set (e-mail without key)",
      body: {
        type: "server",
        ca_type: "apply",
        issue_to: "pbx.example.com",
        dns_provider: "cloudflare",
        auth_info_list: [{ k: "CF_API_EMAIL", sv: "ops@example.com" }],
      },
      param: "auth_info_list.CF_API_KEY",
      detail: /CF_DNS_API_TOKEN or CF_API_EMAIL \+ CF_API_KEY/,
    },
    {
      rule: "the complete route53 set (Region missing)",
      body: {
        type: "server",
        ca_type: "apply",
        issue_to: "pbx.example.com",
        dns_provider: "route53",
        auth_info_list: [
          { k: "AccessKeyId", sv: "AKIAEXAMPLE" },
          { k: "SecretAccessKey", sv: "secret-value-2" },
        ],
      },
      param: "auth_info_list.Region",
      detail: /missing Region/,
    },
    {
      rule: "tuning keys are integers (iv)",
      body: {
        type: "server",
        ca_type: "apply",
        issue_to: "pbx.example.com",
        dns_provider: "alidns",
        auth_info_list: [...alidns, { k: "TTL", sv: "600" }],
      },
      param: "auth_info_list.TTL",
      detail: /pass it as iv/,
    },
    {
      rule: "unknown DNS provider",
      body: {
        type: "server",
        ca_type: "apply",
        issue_to: "pbx.example.com",
        dns_provider: "nosuchdns",
        auth_info_list: alidns,
      },
      param: "dns_provider",
      detail: /unsupported dns_provider 'nosuchdns'/,
    },
    {
      rule: "issue_to must be a domain",
      body: {
        type: "server",
        ca_type: "apply",
        issue_to: "not a domain",
        dns_provider: "alidns",
        auth_info_list: alidns,
      },
      param: "issue_to",
      detail: /domain name/,
    },
  ];

  for (const c of cases) {
    it(`${c.rule} -> errcode 40001 naming ${c.param}`, async () => {
      const res = await create(c.body);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ errcode: 40001, errmsg: "FAILURE", param: c.param });
      expect(String(res.json.detail)).toMatch(c.detail);
      // secrets are never echoed in an error
      expect(JSON.stringify(res.json)).not.toMatch(/secret-value/);
    });
  }

  it("a complete cloudflare token set and the optional route53 zone are accepted", async () => {
    const cf = await create({
      type: "server",
      ca_type: "apply",
      issue_to: "cf.example.com",
      dns_provider: "cloudflare",
      auth_info_list: [{ k: "CF_DNS_API_TOKEN", sv: "secret-value-3" }],
    });
    expect(cf.json).toMatchObject({ errcode: 0, apply_status: "issuing" });
    const r53 = await create({
      type: "server",
      ca_type: "apply",
      issue_to: "r53.example.com",
      dns_provider: "route53",
      auth_info_list: [
        { k: "AccessKeyId", sv: "AKIAEXAMPLE" },
        { k: "SecretAccessKey", sv: "secret-value-4" },
        { k: "Region", sv: "us-east-1" },
        { k: "HostedZoneID", sv: "Z123" },
      ],
    });
    expect(r53.json).toMatchObject({ errcode: 0, name: "r53.example.com.pem" });
  });

  it("nothing was created by the refused requests", () => {
    expect(f.sandbox.certificates().map((c) => c.name)).toEqual(["cf.example.com.pem", "r53.example.com.pem"]);
  });
});
