import { X509Certificate, createPrivateKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import { DEFAULT_PLANS, startResellerSandbox, type ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { assertBundleExists, errorLines, expectNoSecrets, runAction, type ActionRun } from "./support/action.js";

const PLAN = DEFAULT_PLANS[0]?.id ?? "";

// The Action bundle against the reseller sandbox: order, renew, reissue, a DCV that never passes, and no double buys.
describe("action with the reseller", () => {
  let ca: TestCA;
  let reseller: ResellerSandbox;
  let stuck: ResellerSandbox;
  let base: Record<string, string>;
  let created: ActionRun;

  beforeAll(async () => {
    assertBundleExists();
    ca = await TestCA.create({ name: "Action Reseller" });
    [reseller, stuck] = await Promise.all([
      startResellerSandbox({ ca, pollsUntilActive: 1 }),
      startResellerSandbox({ ca, dcvMode: "stuck" }),
    ]);
    base = {
      provider: "reseller",
      operation: "apply",
      endpoint: reseller.url,
      username: reseller.credentials.username,
      "api-key": reseller.credentials.apiKey,
      "common-name": "shop.example.com",
      "dcv-type": "DNS",
      "wait-seconds": "10",
    };
    created = await runAction({ ...base, plan: PLAN });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([reseller?.stop(), stuck?.stop()]);
  });

  it("orders a new certificate with a generated key and returns both", () => {
    expect(errorLines(created), created.stdout).toEqual([]);
    expect(created.code).toBe(0);
    expect(created.outputs.status).toBe("issued");
    expect(created.outputs["certificate-id"]).not.toBe("");
    const certificate = new X509Certificate(created.outputs.certificate ?? "");
    expect(certificate.checkPrivateKey(createPrivateKey(created.outputs["private-key"] ?? ""))).toBe(true);
    expect(certificate.subject).toContain("shop.example.com");
    expect(reseller.purchases).toBe(1);
    expect(created.summary).toContain("gantt");
  });

  it("a re-run of the same workflow run finds its order instead of buying again", async () => {
    // same GITHUB_RUN_ID, same reference: the order is found; the re-run's new key cannot collect it, and says how
    const rerun = await runAction({ ...base, plan: PLAN });
    expect(rerun.code).toBe(1);
    expect(errorLines(rerun)).toHaveLength(1);
    expect(errorLines(rerun)[0]).toMatch(
      /^::error::KEY_MISMATCH: an earlier attempt of this run already placed order .* \(nothing was bought twice\)/,
    );
    expect(reseller.purchases).toBe(1);
  }, 30_000);

  it("renews the order given as certificate-id (a second purchase, in a later run)", async () => {
    const run = await runAction(
      { ...base, "certificate-id": created.outputs["certificate-id"] ?? "" },
      { GITHUB_RUN_ID: "5001" },
    );
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.outputs.status).toBe("issued");
    expect(run.outputs["serial-number"]).not.toBe(created.outputs["serial-number"]);
    expect(reseller.purchases).toBe(2);
  }, 30_000);

  it("reissues without buying", async () => {
    const run = await runAction(
      { ...base, "certificate-id": created.outputs["certificate-id"] ?? "", "reseller-action": "reissue" },
      { GITHUB_RUN_ID: "5002" },
    );
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.outputs.status).toBe("issued");
    expect(reseller.purchases).toBe(2);
  }, 30_000);

  it("reports an order whose validation does not finish in time as pending and succeeds", async () => {
    const run = await runAction({
      ...base,
      endpoint: stuck.url,
      username: stuck.credentials.username,
      "api-key": stuck.credentials.apiKey,
      plan: PLAN,
      "wait-seconds": "1",
    });
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe("pending");
    expect(run.outputs.pending).toBe("true");
    expect(run.outputs["order-id"]).not.toBe("");
    expect(run.stdout).toMatch(/^::warning title=certrelay pending::/m);
    expect(stuck.purchases).toBe(1);
  }, 30_000);

  it("refuses to check without a certificate, sending nothing", async () => {
    const before = reseller.requestCount;
    const run = await runAction({ ...base, operation: "check" });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toHaveLength(1);
    expect(errorLines(run)[0]).toMatch(/^::error::\w+: .*'certificate'/);
    expect(reseller.requestCount).toBe(before);
  }, 30_000);

  it("never prints the API key", () => {
    expectNoSecrets(created, [reseller.credentials.apiKey]);
    expect(created.stdout).toContain(`::add-mask::${reseller.credentials.apiKey}`);
  });
});
