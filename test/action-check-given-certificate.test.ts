import { beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { certFacts } from "../src/x509/index.js";
import { assertBundleExists, errorLines, runAction } from "./support/action.js";

const DAY = 86_400_000;

// `operation: check` with a certificate input needs no endpoint call: days left, and a red step below the minimum.
describe("action check of a given certificate", () => {
  let healthy: CertificateMaterial;
  let expiring: CertificateMaterial;

  beforeAll(async () => {
    assertBundleExists();
    const ca = await TestCA.create({ name: "Action Check" });
    const now = Date.now();
    [healthy, expiring] = await Promise.all([
      ca.issue({ commonName: "api.example.com", days: 60 }),
      ca.issue({
        commonName: "old.example.com",
        notBefore: new Date(now - 85 * DAY),
        notAfter: new Date(now + 5 * DAY + 3_600_000),
      }),
    ]);
  }, 30_000);

  // the endpoint is never contacted: port 9 (discard) on loopback would refuse if it were
  const base = { provider: "cdn", endpoint: "http://127.0.0.1:9", operation: "check" };

  it("reports the days left and the renewal point", async () => {
    const run = await runAction({ ...base, certificate: healthy.certificate });
    expect(errorLines(run), run.stdout).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe("ok");
    expect(run.outputs.changed).toBe("false");
    expect(run.outputs["expire-in"]).toBe("59");
    // one plain sentence: the certificate by its name and serial (it was read from no target)
    const serial = certFacts(healthy.certificate).serial;
    expect(run.stdout).toContain(`certificate api.example.com (serial ${serial}) has 59 days left (minimum 7)`);
    expect(run.stdout).not.toContain("at certificate");
    // a 60-day certificate renews at a third of its life (20 days before expiry), not 30
    const renewAt = new Date(new Date(run.outputs["not-after"] ?? "").getTime() - 20 * DAY).toISOString().slice(0, 10);
    expect(run.summary).toContain(`renew :milestone, r0, ${renewAt}, 0d`);
  });

  it("fails the step below min-days-left with one line saying to renew", async () => {
    const run = await runAction({ ...base, certificate: expiring.certificate, "min-days-left": "7" });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toHaveLength(1);
    expect(errorLines(run)[0]).toContain(
      `::error::CERT_EXPIRES_SOON: certificate old.example.com (serial ${certFacts(expiring.certificate).serial}) has 5 days left, below min-days-left 7: renew it`,
    );
    expect(run.outputs.status).toBe("expiring");
    expect(run.summary).toContain("| 5 |");
  });
});
