import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { certFacts } from "../src/x509/index.js";
import { certrelay } from "./support/cli.js";

let dir: string;
let material: CertificateMaterial;
let other: CertificateMaterial;
let ca: TestCA;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-inspect-"));
  ca = await TestCA.create({ name: "Inspect Test" });
  material = await ca.issue({ commonName: "www.example.com", sans: ["www.example.com", "example.com"], days: 90 });
  other = await ca.issue({ commonName: "other.example.com", days: 90 });
  await writeFile(join(dir, "bundle.pem"), material.certificate + material.chain + material.privateKey);
  // chain listed root first, and the key of another certificate
  await writeFile(join(dir, "mixed.pem"), material.certificate + ca.rootPem + ca.intermediatePem + other.privateKey);
  // every link and the key are right, only the order is not: root before intermediate, and a leaf listed last
  await writeFile(
    join(dir, "root-first.pem"),
    material.certificate + ca.rootPem + ca.intermediatePem + material.privateKey,
  );
  await writeFile(join(dir, "leaf-last.pem"), ca.intermediatePem + ca.rootPem + material.certificate);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("certrelay inspect", () => {
  it("shows the leaf's facts, the chain in linking order and that the key matches", async () => {
    const run = await certrelay(["inspect", join(dir, "bundle.pem")]);
    const leaf = certFacts(material.certificate);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("CN=www.example.com");
    expect(run.stdout).toContain("www.example.com, example.com");
    expect(run.stdout).toContain(leaf.serial);
    expect(run.stdout).toContain(leaf.serialDecimal);
    expect(run.stdout).toContain(leaf.notAfter.toISOString());
    expect(run.stdout).toMatch(/days left\s+│ 89/);
    expect(run.stdout).toContain("Inspect Test Intermediate CA");
    expect(run.stdout.match(/yes, signature verifies/g)).toHaveLength(2);
    expect(run.stdout).toContain("private key: RSA 2048, matches the leaf");
    expect(run.stdout).not.toContain("PRIVATE KEY");
  });

  it("--json carries every field, the linking order and the key check", async () => {
    const run = await certrelay(["inspect", join(dir, "bundle.pem"), "--json"]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    const leaf = certFacts(material.certificate);
    expect(result.certificates[0]).toMatchObject({
      position: 1,
      role: "leaf",
      commonName: "www.example.com",
      sans: ["www.example.com", "example.com"],
      serial: leaf.serial,
      serialDecimal: leaf.serialDecimal,
      notAfter: leaf.notAfter.toISOString(),
      daysLeft: 89,
      key: "RSA 2048",
    });
    expect(result.certificates.map((c: { role: string }) => c.role)).toEqual(["leaf", "intermediate", "root"]);
    expect(result.chain).toMatchObject({ order: [1, 2, 3], inOrder: true, complete: true, foreign: [] });
    expect(result.chain.links).toEqual([
      { from: 1, to: 2, ok: true },
      { from: 2, to: 3, ok: true },
    ]);
    expect(result.privateKey).toEqual({ type: "RSA 2048", matchesLeaf: true });
    expect(result.problems).toEqual([]);
    expect(run.stderr).toBe("");
  });

  it("reports a chain out of order and a key of another certificate, and exits 1", async () => {
    const run = await certrelay(["inspect", join(dir, "mixed.pem"), "--json"]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.chain).toMatchObject({ order: [1, 3, 2], inOrder: false });
    expect(result.privateKey.matchesLeaf).toBe(false);
    const text = await certrelay(["inspect", join(dir, "mixed.pem")]);
    expect(text.stdout).toContain("the file lists it in another order");
    expect(text.stdout).toContain("does NOT match the leaf");
    expect(text.stderr).toContain("error CHAIN_ORDER:");
    expect(text.stderr).toContain("error KEY_MISMATCH:");
    expect(text.stderr).toContain("put the leaf's own key in the bundle");
    expect(text.stderr).not.toContain("PRIVATE KEY");
  });

  it("a chain in the wrong order alone exits 1 with one line naming the order to use", async () => {
    const run = await certrelay(["inspect", join(dir, "root-first.pem")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("private key: RSA 2048, matches the leaf");
    expect(run.stderr.trim().split("\n")).toEqual([
      `error CHAIN_ORDER: ${join(dir, "root-first.pem")} lists the chain as #1, #2, #3 but it links as #1, #3, #2; strict TLS clients refuse it: reorder the file leaf first, each certificate followed by its issuer (#1, #3, #2)`,
    ]);
    const json = await certrelay(["inspect", join(dir, "root-first.pem"), "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).problems).toEqual([{ code: "CHAIN_ORDER", message: expect.any(String) }]);
  });

  it("a leaf listed after its chain is out of order too", async () => {
    const run = await certrelay(["inspect", join(dir, "leaf-last.pem"), "--json"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).chain).toMatchObject({ order: [3, 1, 2], inOrder: false });
    expect(run.stderr).toContain("lists the chain as #1, #2, #3 but it links as #3, #1, #2");
  });

  it("reads stdin with -", async () => {
    const run = await certrelay(["inspect", "-", "--json"], { input: material.certificate });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).certificates).toHaveLength(1);
  });

  it("a file with no certificate is one error line with its code", async () => {
    const run = await certrelay(["inspect", "-"], { input: other.privateKey });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("error PEM_WRONG_TYPE:");
    expect(run.stderr).not.toContain("PRIVATE KEY-----");
  });
});
