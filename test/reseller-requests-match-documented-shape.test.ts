/**
 * What certrelay sends to Resello when it buys a certificate, collects it, renews it and scans the account,
 * compared with the documented calls of ssl-reseller-certificate.txt (docs/vendors.md): only the documented list
 * filters, the purchase body's documented string fields, basic auth on every request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResellerIssuer, listResellerCertificates } from "../src/providers/reseller/index.js";
import type { ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { fidelityProblems, type DocumentedCall, type JsonType } from "./support/fidelity.js";
import { PLAN, resellerCtx, resellerWorld, rsaCsr } from "./support/reseller.js";

const AUTH = { authorization: /^Basic [A-Za-z0-9+/=]+$/ };
const ORDER_FIELDS = [
  "csr",
  "dcv_type",
  "chamber_of_commerce",
  "company_name",
  "department",
  "address",
  "city",
  "approver_first_name",
  "approver_last_name",
  "approver_email_address",
  "approver_phone_number",
  "zip_code",
  "plan",
  "client_reference",
];
const strings = (names: string[]): Record<string, JsonType> =>
  Object.fromEntries(names.map((n) => [n, "string" as const]));

const RESELLER_DOCUMENTED: DocumentedCall[] = [
  { method: "GET", path: "/ssl-certificate-plan", query: ["id", "name"], headers: AUTH },
  { method: "GET", path: "/ssl-certificate", query: ["plan", "client_reference"], headers: AUTH },
  {
    method: "POST",
    path: "/ssl-certificate",
    body: strings([...ORDER_FIELDS, "ee_reference_order_id"]),
    requiredBody: ["csr", "dcv_type", "plan"],
    headers: AUTH,
  },
  { method: "GET", path: "/ssl-certificate/:id", headers: AUTH },
  { method: "DELETE", path: "/ssl-certificate/:id", headers: AUTH },
  {
    method: "POST",
    path: "/ssl-certificate/:id/renew",
    body: strings(ORDER_FIELDS),
    requiredBody: ["csr", "dcv_type"],
    headers: AUTH,
  },
  {
    method: "POST",
    path: "/ssl-certificate/:id/reissue",
    body: strings(ORDER_FIELDS.filter((n) => n !== "plan")),
    requiredBody: ["csr", "dcv_type"],
    headers: AUTH,
  },
  {
    method: "POST",
    path: "/ssl-certificate/:id/validate",
    body: strings(["dcv_type", "email_address", "domain"]),
    headers: AUTH,
  },
  { method: "GET", path: "/ssl-certificate/:id/validation-details", headers: AUTH },
  ...["zip", "pkcs7", "crt", "csr", "ca"].map(
    (format): DocumentedCall => ({ method: "GET", path: `/ssl-certificate/:id/download-${format}`, headers: AUTH }),
  ),
];

let sandbox: ResellerSandbox;
beforeAll(async () => {
  ({ sandbox } = await resellerWorld({ pollsUntilActive: 1 }));
  sandbox.recording = [];
  const settings = { endpoint: sandbox.url, plan: PLAN, dcvType: "DNS" as const };
  const issuer = createResellerIssuer(settings, { ...sandbox.credentials }, resellerCtx());
  const first = await rsaCsr("shape.example.com");
  const bought = await issuer.issue({
    csr: first.csr,
    commonName: "shape.example.com",
    sans: ["shape.example.com"],
    reference: "certrelay:shape:1",
  });
  if (bought.state !== "issued") throw new Error("purchase did not issue");
  const second = await rsaCsr("shape.example.com");
  await issuer.issue({
    csr: second.csr,
    commonName: "shape.example.com",
    sans: ["shape.example.com"],
    reference: "certrelay:shape:2",
    previousOrderId: bought.orderId,
  });
  await issuer.close();
  for await (const _ of listResellerCertificates(settings, { ...sandbox.credentials }, resellerCtx())) void _;
});
afterAll(async () => {
  await sandbox.stop();
});

describe("Resello: the requests certrelay sends have the documented shape", () => {
  it("every request of a purchase, a renewal and a scan is a documented call with documented fields", async () => {
    const recorded = sandbox.recording ?? [];
    expect(
      recorded.map((r) => `${r.method} ${r.path.replace(/\/ssl-certificate\/[^/]+/, "/ssl-certificate/{id}")}`),
    ).toEqual(
      expect.arrayContaining([
        "POST /ssl-certificate",
        "POST /ssl-certificate/{id}/renew",
        "GET /ssl-certificate",
        "GET /ssl-certificate/{id}",
      ]),
    );
    expect(await fidelityProblems(recorded, RESELLER_DOCUMENTED)).toEqual([]);
  });
});
