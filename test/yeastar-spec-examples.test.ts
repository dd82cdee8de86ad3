import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, rawCall, rawMultipart, rawToken, startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

describe("the spec's request examples replay against the PBX sandbox", () => {
  let f: YeastarFixture;
  let token: string;
  beforeAll(async () => {
    f = await startYeastarFixture();
    token = await rawToken(f.sandbox);
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("adds a trusted certificate: upload to temporary storage, then create", async () => {
    const boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="type"',
      "",
      "trusted",
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="/D:/project/certificate/example.domain.com.crt"',
      "Content-Type: application/x-x509-ca-cert",
      "",
      f.ca.rootPem.trim(),
      `--${boundary}--`,
      "",
    ].join("\r\n");
    const uploaded = await rawMultipart(f.sandbox, `${API}/certificate/upload?access_token=${token}`, boundary, body);
    expect(uploaded).toEqual({ status: 200, json: { errcode: 0, errmsg: "SUCCESS", file: "example.domain.com.crt" } });
    expect(f.sandbox.tempFiles()).toEqual(["example.domain.com.crt"]);

    const created = await rawCall(f.sandbox, "POST", `${API}/certificate/create?access_token=${token}`, {
      type: "trusted",
      name: "example.domain.com.crt",
    });
    expect(created).toEqual({
      status: 200,
      json: { errcode: 0, errmsg: "SUCCESS", name: "example.domain.com.crt", apply_status: "issuance_success" },
    });
    expect(f.sandbox.certificates("trusted").map((c) => c.name)).toEqual(["example.domain.com.crt"]);
  });

  it("applies for a new certificate with alidns and answers issuing", async () => {
    const created = await rawCall(f.sandbox, "POST", `${API}/certificate/create?access_token=${token}`, {
      type: "server",
      ca_type: "apply",
      issue_to: "docstest.example.com",
      dns_provider: "alidns",
      auth_info_list: [
        { k: "AccessKeyId", sv: "AKIAIXXXXXXXXXXAMPLE" },
        { k: "AccessKeySecret", sv: "wJalrXUXXXXXXXXXXLEKEY" },
        { k: "PropagationTimeout", iv: 300 },
        { k: "PollingInterval", iv: 5 },
        { k: "TTL", iv: 600 },
      ],
    });
    expect(created).toEqual({
      status: 200,
      json: { errcode: 0, errmsg: "SUCCESS", name: "docstest.example.com.pem", apply_status: "issuing" },
    });

    const listed = await rawCall(f.sandbox, "GET", `${API}/certificate/list?access_token=${token}&type=server`);
    expect(listed.json).toMatchObject({ errcode: 0, errmsg: "SUCCESS", total_number: 1 });
    const [item] = listed.json.certificate_list as Record<string, unknown>[];
    expect(item).toMatchObject({
      name: "docstest.example.com.pem",
      type: "server",
      issue_to: "docstest.example.com",
      ca_type: "apply",
      dns_provider: "alidns",
      apply_status: "issuing",
    });

    // the secret comes back masked; the key id and the tuning integers as given
    const queried = await rawCall(
      f.sandbox,
      "GET",
      `${API}/certificate/query?access_token=${token}&ids=${String(item?.id)}`,
    );
    const [detail] = queried.json.certificate_list as Record<string, unknown>[];
    expect(detail?.auth_info_list).toEqual([
      { k: "AccessKeyId", sv: "AKIAIXXXXXXXXXXAMPLE" },
      { k: "AccessKeySecret", sv: "******" },
      { k: "PropagationTimeout", iv: 300 },
      { k: "PollingInterval", iv: 5 },
      { k: "TTL", iv: 600 },
    ]);
    expect(JSON.stringify(queried.json)).not.toContain("wJalrXUXXXXXXXXXXLEKEY");
  });
});
