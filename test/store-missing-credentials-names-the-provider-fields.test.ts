/**
 * A credentials secret that is missing or malformed is reported with the fields its provider reads (the store alone
 * cannot know them): a CDN user is told accessKeyId/accessKeySecret, never a PBX's username/password.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/index.js";
import { silentLogger } from "../src/model.js";
import { runPipeline } from "../src/pipeline/index.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import { TestCA } from "../src/sandbox/ca.js";
import { FileStore } from "../src/store/index.js";
import { testProviderContext } from "./support/context.js";

const CONFIG = `
certificates:
  - name: www
    secret: certrelay/www
    targets:
      - provider: cdn
        endpoint: https://127.0.0.1:9
        credentials: certrelay/cdn-account
`;

describe("a credentials secret that is missing or malformed", () => {
  const dir = mkdtempSync(join(tmpdir(), "certrelay-creds-hint-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function runWith(store: FileStore) {
    const ca = await TestCA.create();
    await store.putCurrent("certrelay/www", await ca.issue({ commonName: "www.example.com", days: 90 }));
    const config = await parseConfig(CONFIG, "certrelay.yml");
    const ctx = testProviderContext(() => new Date(), { ca: ca.rootPem });
    const summary = await runPipeline(config, {
      store,
      providers: new StoreBackedProviders(store, ctx),
      clock: () => new Date(),
      logger: silentLogger,
      dryRun: false,
    });
    return summary.reports[0];
  }

  it("missing: names the secret and the fields the cdn provider reads, before any request", async () => {
    const report = await runWith(new FileStore({ dir: join(dir, "empty") }));
    expect(report?.action).toBe("failed");
    expect(report?.error?.code).toBe("STORE_NOT_FOUND");
    expect(report?.error?.message).toContain("credentials secret 'certrelay/cdn-account' was not found");
    expect(report?.error?.message).toContain("provider cdn reads 'accessKeyId' and 'accessKeySecret'");
    expect(report?.error?.message).not.toContain("username");
  });

  it("not a JSON object of strings: the same hint", async () => {
    const store = new FileStore({ dir: join(dir, "malformed") });
    await store.putCredentials("certrelay/cdn-account", { accessKeyId: "AKID" });
    writeFileSync(store.pathFor("certrelay/cdn-account"), JSON.stringify({ current: ["not", "an", "object"] }));
    const report = await runWith(store);
    expect(report?.error?.code).toBe("STORE_ERROR");
    expect(report?.error?.message).toContain("provider cdn reads 'accessKeyId' and 'accessKeySecret'");
  });
});
