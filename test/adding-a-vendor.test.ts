/**
 * docs/adding-a-vendor.md, proved: a sixth provider defined in one folder (test/providers/sixth/) and added to the
 * list passed to providerCatalog() is read by the config loader (its fields checked and reported by config path,
 * its credential fields named in hints) and driven by the pipeline to renew and deploy a certificate, with no edit
 * anywhere in src/.
 */
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "../src/config/index.js";
import { DAY_MS, silentLogger } from "../src/model.js";
import { runPipeline } from "../src/pipeline/index.js";
import { providerCatalog } from "../src/providers/catalog.js";
import { builtInProviders } from "../src/providers/index.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import { TestCA } from "../src/sandbox/ca.js";
import { ManualClock } from "../src/sandbox/server.js";
import { FileStore } from "../src/store/index.js";
import { certFacts } from "../src/x509/index.js";
import { definition as vault } from "./providers/sixth/index.js";
import { MemoryVault } from "./providers/sixth/vault.js";
import { testProviderContext } from "./support/context.js";

const NOW = new Date("2026-11-24T12:00:00Z");
/** the one line a new vendor adds to src/providers/index.ts, here as the list a test passes in */
const catalog = providerCatalog([...builtInProviders, vault]);

const fleet = `
certificates:
  - name: www
    secret: certrelay/www
    commonName: www.example.com
    issuer: { provider: vault, credentials: certrelay/vault, mount: pki-web, ttlDays: 30 }
    targets:
      - { provider: vault, credentials: certrelay/vault, mount: edge-a }
      - { provider: vault, credentials: certrelay/vault, mount: edge-b }
`;

async function problemsOf(text: string): Promise<ConfigError> {
  try {
    await parseConfig(text, "certrelay.yml", catalog);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected the config to be rejected");
}

describe("a sixth vendor added as one folder and one list entry", () => {
  it("is read by the config loader with its own fields and defaults", async () => {
    const config = await parseConfig(fleet, "certrelay.yml", catalog);
    expect(config.certificates[0]?.issuer).toEqual({
      provider: "vault",
      credentials: "certrelay/vault",
      mount: "pki-web",
      ttlDays: 30,
    });
    // its default applies, as a built-in vendor's do
    expect(config.certificates[0]?.targets).toEqual([
      { provider: "vault", credentials: "certrelay/vault", mount: "edge-a", ttlDays: 90 },
      { provider: "vault", credentials: "certrelay/vault", mount: "edge-b", ttlDays: 90 },
    ]);
  });

  it("is unknown to the built-in catalog, so it is the list passed in that made it valid", async () => {
    await expect(parseConfig(fleet, "certrelay.yml")).rejects.toThrow(
      /certificates\[0\]\.issuer\.provider: expected issuer provider reseller\|enos\|acme/,
    );
  });

  it("lists it among the providers a role accepts", async () => {
    const error = await problemsOf(
      fleet.replace(
        "{ provider: vault, credentials: certrelay/vault, mount: edge-a }",
        "{ provider: nope, credentials: certrelay/vault }",
      ),
    );
    expect(error.problems).toContainEqual(
      expect.objectContaining({
        path: "certificates[0].targets[0].provider",
        message: "expected target provider yeastar|cdn|enos|vault",
      }),
    );
  });

  it("reports its bad fields by config path, each on its line, never with the value", async () => {
    const text = fleet
      .replace("mount: pki-web, ttlDays: 30", "mount: Web PKI, ttlDays: 0")
      .replace("mount: edge-a }", "mount: edge-a, mountt: edge-c }")
      .replace("mount: edge-b }", "mount: edge-b, secretId: s3cr3t-Value-9 }");
    const error = await problemsOf(text);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: "certificates[0].issuer.mount",
          message: "expected a mount name like pki-web (a-z 0-9 -)",
          line: 6,
        }),
        expect.objectContaining({ path: "certificates[0].issuer.ttlDays", line: 6 }),
        expect.objectContaining({
          path: "certificates[0].targets[0].mountt",
          message: "unknown field; check the spelling",
          line: 8,
        }),
        // the hint names the fields of its credentials secret, taken from its definition
        expect.objectContaining({
          path: "certificates[0].targets[1].secretId",
          message: expect.stringContaining("the vault credentials secret holds roleId and secretId"),
          line: 9,
        }),
      ]),
    );
    expect(error.message).not.toContain("s3cr3t-Value-9");
    expect(error.message).not.toContain("Web PKI");
  });

  describe("driven by the pipeline", () => {
    let dir: string;
    let ca: TestCA;
    const clock = new ManualClock(NOW);
    const closers: (() => void)[] = [];
    let issuerMount: MemoryVault;
    let edges: MemoryVault[];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "certrelay-sixth-"));
      ca = await TestCA.create({ name: "Sixth Vault", now: NOW });
      issuerMount = new MemoryVault("pki-web", ca, clock.now);
      edges = [new MemoryVault("edge-a", ca, clock.now), new MemoryVault("edge-b", ca, clock.now)];
      for (const mount of [issuerMount, ...edges]) closers.push(mount.open());
    });

    afterAll(() => {
      for (const close of closers) close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("renews a due certificate through it and deploys it to its targets; the next run has nothing to do", async () => {
      const store = new FileStore({ dir: join(dir, "store") });
      await store.putCredentials("certrelay/vault", { roleId: issuerMount.roleId, secretId: issuerMount.secretId });
      // 10 days left of 90: due under the default 30-day window
      const old = await ca.issue({
        commonName: "www.example.com",
        notBefore: new Date(NOW.getTime() - 80 * DAY_MS),
        days: 90,
      });
      await store.putCurrent("certrelay/www", old);
      const path = join(dir, "certrelay.yml");
      writeFileSync(path, fleet);
      const config = await loadConfig(path, catalog);
      const ctx = testProviderContext(clock.now, { ca: ca.rootPem });
      const deps = () => ({
        store,
        providers: new StoreBackedProviders(store, ctx, catalog),
        clock: clock.now,
        logger: silentLogger,
        dryRun: false,
      });

      const first = await runPipeline(config, deps());
      expect(first.ok).toBe(true);
      expect(first.reports[0]).toMatchObject({
        name: "www",
        action: "renewed",
        previousSerial: certFacts(old.certificate).serial,
      });
      expect(first.reports[0]?.targets.map((t) => t.target)).toEqual(["vault edge-a", "vault edge-b"]);

      const current = await store.getCurrent("certrelay/www");
      const serial = certFacts(current?.certificate ?? "").serial;
      expect(serial).not.toBe(certFacts(old.certificate).serial);
      // signed by the vault (its CA, its 30-day ttl) for the key certrelay made and stored
      const issued = certFacts(current?.certificate ?? "");
      expect(new X509Certificate(current?.certificate ?? "").checkIssued(new X509Certificate(ca.intermediatePem))).toBe(
        true,
      );
      expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(30 * DAY_MS);
      expect(issuerMount.signings).toBe(1);
      expect(edges.map((e) => e.served)).toEqual([serial, serial]);

      const second = await runPipeline(config, deps());
      expect(second.reports[0]).toMatchObject({ name: "www", action: "none" });
      expect(issuerMount.signings).toBe(1);
      expect(edges.map((e) => e.writes)).toEqual([1, 1]);
    });
  });
});
