/**
 * What certrelay sends to a Yeastar PBX in a deploy, a rotation and a verify, compared with the calls as Yeastar's
 * P-Series OpenAPI pages document them (docs/vendors.md names each page): method, path, query names, body fields
 * and their JSON types, and the User-Agent every request must carry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createYeastarTarget } from "../src/providers/yeastar/index.js";
import { fidelityProblems, type DocumentedCall } from "./support/fidelity.js";
import { startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

const API = "/openapi/v1.0";
const UA = { "user-agent": /\S/ };
const AUTHED = ["access_token"];
const CERT_FIELDS = {
  type: "string",
  ca_type: "string",
  name: "string",
  issue_to: "string",
  auto_renewal: "integer",
  dns_provider: "string",
  auth_info_list: "array",
} as const;

const YEASTAR_DOCUMENTED: DocumentedCall[] = [
  {
    method: "POST",
    path: `${API}/get_token`,
    body: { username: "string", password: "string" },
    requiredBody: ["username", "password"],
    headers: UA,
  },
  {
    method: "POST",
    path: `${API}/refresh_token`,
    body: { refresh_token: "string" },
    requiredBody: ["refresh_token"],
    headers: UA,
  },
  { method: "GET", path: `${API}/del_token`, query: AUTHED, requiredQuery: AUTHED, headers: UA },
  {
    method: "GET",
    path: `${API}/certificate/list`,
    query: [...AUTHED, "page", "page_size", "sort_by", "order_by", "type"],
    requiredQuery: AUTHED,
    headers: UA,
  },
  {
    method: "GET",
    path: `${API}/certificate/query`,
    query: [...AUTHED, "ids"],
    requiredQuery: [...AUTHED, "ids"],
    headers: UA,
  },
  {
    method: "GET",
    path: `${API}/certificate/get`,
    query: [...AUTHED, "id"],
    requiredQuery: [...AUTHED, "id"],
    headers: UA,
  },
  {
    method: "GET",
    path: `${API}/certificate/delete`,
    query: [...AUTHED, "id"],
    requiredQuery: [...AUTHED, "id"],
    headers: UA,
  },
  {
    method: "POST",
    path: `${API}/certificate/upload`,
    query: AUTHED,
    requiredQuery: AUTHED,
    multipart: ["type", "file"],
    headers: UA,
  },
  {
    method: "POST",
    path: `${API}/certificate/create`,
    query: AUTHED,
    requiredQuery: AUTHED,
    body: CERT_FIELDS,
    requiredBody: ["type"],
    headers: UA,
  },
  {
    method: "POST",
    path: `${API}/certificate/update`,
    query: AUTHED,
    requiredQuery: AUTHED,
    body: {
      id: "integer",
      name: "string",
      issue_to: "string",
      auto_renewal: "integer",
      dns_provider: "string",
      auth_info_list: "array",
    },
    requiredBody: ["id"],
    headers: UA,
  },
  { method: "GET", path: `${API}/webserver/get`, query: AUTHED, requiredQuery: AUTHED, headers: UA },
  {
    method: "POST",
    path: `${API}/webserver/update`,
    query: AUTHED,
    requiredQuery: AUTHED,
    body: { https_cert: "string" },
    requiredBody: ["https_cert"],
    headers: UA,
  },
];

describe("Yeastar: the requests certrelay sends have the documented shape", () => {
  let f: YeastarFixture;
  beforeAll(async () => {
    f = await startYeastarFixture();
    f.sandbox.recording = [];
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    const first = await target.deploy(await f.ca.issue({ commonName: "pbx.example.com", days: 90 }));
    await target.verify(first.serial);
    const second = await target.deploy(await f.ca.issue({ commonName: "pbx.example.com", days: 90 }));
    await target.verify(second.serial);
    await target.close();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("every request of a deploy, a rotation and their verifies is a documented call with documented fields", async () => {
    const recorded = f.sandbox.recording ?? [];
    expect(recorded.map((r) => `${r.method} ${r.path.replace(API, "")}`)).toEqual(
      expect.arrayContaining([
        "POST /certificate/upload",
        "POST /certificate/create",
        "POST /webserver/update",
        "POST /certificate/update",
        "GET /webserver/get",
        "GET /certificate/get",
      ]),
    );
    expect(await fidelityProblems(recorded, YEASTAR_DOCUMENTED)).toEqual([]);
  });

  it("selects by name and replaces in place by integer id", () => {
    const bodies = (path: string) =>
      (f.sandbox.recording ?? [])
        .filter((r) => r.path === `${API}/${path}`)
        .map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(bodies("webserver/update")[0]).toEqual({
      https_cert: expect.stringMatching(/^certrelay-pbx\.example\.com-[0-9A-F]+\.pem$/) as unknown,
    });
    expect(bodies("certificate/update")[0]).toEqual({
      id: 1,
      name: expect.stringMatching(/^certrelay-pbx\.example\.com-/) as unknown,
    });
    expect(bodies("certificate/create")[0]).toEqual({
      type: "server",
      ca_type: "upload",
      name: expect.any(String) as unknown,
    });
  });
});
