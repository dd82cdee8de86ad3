/**
 * A first ACME run without its credentials secret: the README says the secret may be `{}` (certrelay writes the
 * account key into it) and EAB keys are only for CAs that require them. The hint must say the same, not that
 * acme "reads 'eabKid' and 'eabHmacKey'"; a provider with required fields still lists them. Built CLI.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certrelay } from "./support/cli.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-acme-secret-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function renew(issuer: string): Promise<{ code: number; stdout: string; message: string }> {
  const config = join(dir, `${issuer.slice(12, 20).replace(/\W/g, "")}.yml`);
  await writeFile(
    config,
    [
      "certificates:",
      "  - name: shop",
      "    secret: certrelay/shop",
      "    commonName: shop.example.com",
      `    issuer: ${issuer}`,
      "",
    ].join("\n"),
  );
  const human = await certrelay(["renew", "--config", config, "--store-dir", join(dir, "store")]);
  const json = await certrelay(["renew", "--config", config, "--store-dir", join(dir, "store"), "--json"]);
  const report = (JSON.parse(json.stdout) as { reports: { error?: { code: string; message: string } }[] }).reports[0];
  expect(report?.error?.code).toBe("STORE_NOT_FOUND");
  return { code: human.code, stdout: human.stdout, message: report?.error?.message ?? "" };
}

describe("a missing credentials secret", () => {
  it("acme: says the secret may be {} and the EAB fields are optional", async () => {
    const run = await renew(
      '{ provider: acme, directory: "https://127.0.0.1:9/directory", credentials: certrelay/acme, dns: { provider: route53 } }',
    );
    expect(run.code).toBe(1);
    const hint =
      "provider acme: the secret may be {}; 'eabKid' and 'eabHmacKey' are optional, only for a CA that requires External Account Binding (EAB)";
    expect(run.message).toContain("credentials secret 'certrelay/acme' was not found");
    expect(run.message).toContain(hint);
    expect(run.stdout).toContain(hint);
    expect(run.message).not.toContain("reads 'eabKid'");
  });

  it("reseller: still names its required fields", async () => {
    const run = await renew(
      "{ provider: reseller, endpoint: https://127.0.0.1:9, credentials: certrelay/reseller, plan: 3f7830c3-3fa4-404d-908f-35daaa1cd17b, dcvType: DNS }",
    );
    expect(run.message).toContain("provider reseller reads 'username' and 'apiKey'");
  });
});
