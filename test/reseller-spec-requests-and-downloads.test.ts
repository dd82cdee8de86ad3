import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { certFacts } from "../src/x509/index.js";
import { basic, PLAN, resellerWorld, rsaCsr } from "./support/reseller.js";

let sandbox: ResellerSandbox;
let dir: string;
beforeAll(async () => {
  ({ sandbox } = await resellerWorld({ pollsUntilActive: 1 }));
  dir = mkdtempSync(join(tmpdir(), "reseller-"));
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> & { error?: { code: string; field?: string } } }> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: basic(sandbox),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as never };
}
async function bytes(
  path: string,
): Promise<{ status: number; type: string | null; disposition: string | null; data: Uint8Array }> {
  const res = await fetch(`${sandbox.url}${path}`, { headers: basic(sandbox) });
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    disposition: res.headers.get("content-disposition"),
    data: new Uint8Array(await res.arrayBuffer()),
  };
}

// The spec's sample body, with a CSR of our own (the sample's CSR is the spec's; its key is fine but we check names).
const sample = (csr: string, reference: string) => ({
  csr,
  dcv_type: "EMAIL",
  chamber_of_commerce: "12345678",
  company_name: "Johns inc.",
  department: "Development",
  address: "Example street 13",
  zip_code: "12345",
  city: "Smallville",
  approver_first_name: "John",
  approver_last_name: "Doe",
  approver_email_address: "john.doe@example.com",
  approver_phone_number: "+31.612345678",
  client_reference: reference,
  plan: PLAN,
});

describe("reseller spec requests replayed", () => {
  let id = "";
  it("GET /ssl-certificate-plan lists plans with interval and grace period", async () => {
    const { status, json } = await call("GET", `/ssl-certificate-plan?id=${PLAN}`);
    expect(status).toBe(200);
    expect(json).toEqual([expect.objectContaining({ id: PLAN, interval: 12, grace_period_days: 30 })]);
  });

  it("POST /ssl-certificate (sample body) creates a pending order; every POST is charged, even with the same client_reference", async () => {
    const { csr } = await rsaCsr("example.com");
    const created = await call("POST", "/ssl-certificate", sample(csr, "#123"));
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      status: "pending",
      plan: PLAN,
      client_reference: "#123",
      common_name: "example.com",
      domains: ["example.com"],
      dcv_type: "EMAIL",
    });
    id = String(created.json.id);
    // client_reference is a lookup filter, not a promise that a repeated create is free
    const again = await call("POST", "/ssl-certificate", sample(csr, "#123"));
    expect(again.status).toBe(201);
    expect(again.json.id).not.toBe(id);
    expect(sandbox.purchases).toBe(2);
  });

  it("GET /ssl-certificate filters on client_reference; GET /{id} activates after DCV", async () => {
    const listed = await call("GET", "/ssl-certificate?client_reference=%23123");
    expect(listed.json).toEqual([
      expect.objectContaining({ id, client_reference: "#123" }),
      expect.objectContaining({ client_reference: "#123" }),
    ]);
    const got = await call("GET", `/ssl-certificate/${id}`);
    expect(got.json).toMatchObject({ id, status: "active" });
    expect(typeof got.json.valid_until).toBe("string");
    const details = await call("GET", `/ssl-certificate/${id}/validation-details`);
    expect(details.json).toMatchObject({ status: "passed", dcv_type: "EMAIL" });
  });

  it("downloads are the formats they claim", async () => {
    const crt = await bytes(`/ssl-certificate/${id}/download-crt`);
    expect(crt.type).toBe("application/octet-stream");
    expect(crt.disposition).toMatch(/^attachment/);
    const leaf = certFacts(Buffer.from(crt.data).toString("utf8"));
    expect(leaf.commonName).toBe("example.com");
    const ca = Buffer.from((await bytes(`/ssl-certificate/${id}/download-ca`)).data).toString("utf8");
    expect(ca.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(Buffer.from((await bytes(`/ssl-certificate/${id}/download-csr`)).data).toString("utf8")).toContain(
      "BEGIN CERTIFICATE REQUEST",
    );
    const p7 = join(dir, "cert.p7b");
    writeFileSync(p7, (await bytes(`/ssl-certificate/${id}/download-pkcs7`)).data);
    const printed = execFileSync("openssl", ["pkcs7", "-in", p7, "-print_certs", "-noout"]).toString();
    expect(printed).toMatch(/subject=.*CN ?= ?example\.com/);
    expect(printed.match(/subject=/g)).toHaveLength(3);
    const zip = unzipSync((await bytes(`/ssl-certificate/${id}/download-zip`)).data);
    const names = Object.keys(zip).sort();
    expect(names).toEqual(["example.com.ca-bundle", "example.com.crt"]);
    expect(certFacts(strFromU8(zip["example.com.crt"]!)).serial).toBe(leaf.serial);
  });

  it("POST /{id}/reissue replaces the certificate at once, no purchase", async () => {
    const before = Buffer.from((await bytes(`/ssl-certificate/${id}/download-crt`)).data).toString("utf8");
    const { csr } = await rsaCsr("example.com");
    const { status, json } = await call("POST", `/ssl-certificate/${id}/reissue`, {
      ...sample(csr, "#123-reissue"),
      plan: undefined,
    });
    expect(status).toBe(200);
    expect(json.status).toBe("active");
    const after = Buffer.from((await bytes(`/ssl-certificate/${id}/download-crt`)).data).toString("utf8");
    expect(certFacts(after).serial).not.toBe(certFacts(before).serial);
    expect(sandbox.purchases).toBe(2);
  });

  it("POST /{id}/renew is a purchase, pending then active; a second renew while pending is refused", async () => {
    const { csr } = await rsaCsr("example.com");
    const renewed = await call("POST", `/ssl-certificate/${id}/renew`, sample(csr, "#124"));
    expect(renewed.json).toMatchObject({ id, status: "pending" });
    const again = await call("POST", `/ssl-certificate/${id}/renew`, sample(csr, "#124"));
    expect(again).toMatchObject({ status: 400, json: { error: { code: "INVALID_STATE" } } });
    expect(sandbox.purchases).toBe(3);
    expect((await call("GET", `/ssl-certificate/${id}`)).json.status).toBe("active");
  });

  it("POST /{id}/validate retries DCV of a pending order", async () => {
    sandbox.dcvMode = "fail";
    const { csr } = await rsaCsr("validate.example.com");
    const created = await call("POST", "/ssl-certificate", {
      csr,
      dcv_type: "DNS",
      plan: PLAN,
      client_reference: "v-1",
    });
    const vid = String(created.json.id);
    await call("GET", `/ssl-certificate/${vid}`);
    expect((await call("GET", `/ssl-certificate/${vid}/validation-details`)).json.status).toBe("failed");
    sandbox.dcvMode = "auto";
    const validated = await call("POST", `/ssl-certificate/${vid}/validate`, {
      dcv_type: "EMAIL",
      email_address: "john.doe@example.com",
      domain: "validate.example.com",
    });
    expect(validated.status).toBe(200);
    expect((await call("GET", `/ssl-certificate/${vid}`)).json.status).toBe("active");
  });

  it("DELETE inside the grace period refunds and cancels", async () => {
    const { status, json } = await call("DELETE", `/ssl-certificate/${id}`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ status: "cancelled", refunded: true });
    expect(sandbox.refunds).toBe(1);
  });

  it("errors: 401, 404, 400 naming the field", async () => {
    const anon = await fetch(`${sandbox.url}/ssl-certificate`, {
      headers: { authorization: "Basic " + Buffer.from("x:y").toString("base64") },
    });
    expect(anon.status).toBe(401);
    expect((await call("GET", "/ssl-certificate/nope")).status).toBe(404);
    const { csr } = await rsaCsr("bad.example.com");
    const cases: [Record<string, unknown>, string][] = [
      [{ dcv_type: "DNS", plan: PLAN }, "csr"],
      [{ csr, dcv_type: "FAX", plan: PLAN }, "dcv_type"],
      [{ csr, dcv_type: "EMAIL", plan: PLAN }, "approver_email_address"],
      [{ csr, dcv_type: "DNS", plan: "00000000-0000-0000-0000-000000000000" }, "plan"],
      [{ csr, dcv_type: "DNS", plan: "9b1d7a52-6a47-4c1e-8f0e-2f7d6b1c9a01" }, "chamber_of_commerce"],
    ];
    for (const [body, field] of cases) {
      const res = await call("POST", "/ssl-certificate", body);
      expect(res.status).toBe(400);
      expect(res.json.error?.field).toBe(field);
    }
  });
});
