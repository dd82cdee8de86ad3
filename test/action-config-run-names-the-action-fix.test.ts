/**
 * The Action over certrelay.yml (`config` + `store-dir`) says what a workflow author can change: a certificate
 * keyType its issuer does not make fails the step as a config problem before any vendor call, and an edge whose
 * chain the run does not trust (no `ca-certificate`) is reported as that, naming the ca-certificate input, not the
 * CLI's --ca-file. Built Action bundle.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox } from "../src/sandbox/cdn/server.js";
import { FileStore } from "../src/store/index.js";
import { assertBundleExists, errorLines, runAction } from "./support/action.js";

let ca: TestCA;
let cdn: CdnSandbox;
let dir: string;

function cdnTarget(): string {
  return `      - { provider: cdn, endpoint: "${cdn.url}", credentials: certrelay/cdn, verifyHost: www.example.com, verifyAddress: "127.0.0.1:${cdn.edgePort}" }`;
}

beforeAll(async () => {
  assertBundleExists();
  ca = await TestCA.create({ name: "Action Trust" });
  cdn = await startCdnSandbox({ ca });
  dir = mkdtempSync(join(tmpdir(), "certrelay-action-fix-"));
  const store = new FileStore({ dir: join(dir, "store") });
  await store.putCurrent("certrelay/www", await ca.issue({ commonName: "www.example.com", days: 90 }));
  await store.putCredentials("certrelay/cdn", cdn.credentials);
}, 60_000);

afterAll(async () => {
  await cdn?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("action config run", () => {
  it("refuses a keyType its issuer does not make, naming certificates[0].keyType, before any vendor call", async () => {
    const configPath = join(dir, "key-type.yml");
    writeFileSync(
      configPath,
      [
        "certificates:",
        "  - name: www",
        "    secret: certrelay/www",
        "    keyType: ecc",
        "    issuer: { provider: reseller, endpoint: https://127.0.0.1:9, credentials: certrelay/reseller, dcvType: DNS }",
        "    targets:",
        cdnTarget(),
        "",
      ].join("\n"),
    );
    const run = await runAction({ config: configPath, "store-dir": join(dir, "store"), "ca-certificate": ca.rootPem });
    expect(run.code).not.toBe(0);
    const errors = errorLines(run).join("\n");
    expect(errors).toContain("CONFIG_INVALID");
    expect(errors).toContain(
      "certificates[0].keyType: is ecc but its issuer (reseller) makes rsa keys; the reseller issues RSA certificates only: set keyType rsa or remove it (line 4",
    );
    expect(cdn.uploadCount).toBe(0);
  });

  it("an untrusted edge chain names the ca-certificate input", async () => {
    const configPath = join(dir, "trust.yml");
    writeFileSync(
      configPath,
      ["certificates:", "  - name: www", "    secret: certrelay/www", "    targets:", cdnTarget(), ""].join("\n"),
    );
    const run = await runAction({ config: configPath, "store-dir": join(dir, "store") });
    expect(run.code).not.toBe(0);
    const said = `${errorLines(run).join("\n")}\n${run.summary}`;
    expect(said).toMatch(
      /serves [0-9A-F]+ as expected, but its chain is not trusted here \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\): if the certificate comes from a private or test CA, trust that CA with the ca-certificate input/,
    );
    expect(said).not.toContain("--ca-file");
    // the edge serves it, so neither "does not serve" nor the service-id advice (nothing attached) applies
    expect(said).not.toMatch(/does not serve|set service-id/);
  });
});
