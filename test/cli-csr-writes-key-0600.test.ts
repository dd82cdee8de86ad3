import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectCsr } from "../src/x509/index.js";
import { certrelay } from "./support/cli.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-csr-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("certrelay csr", () => {
  it("writes an RSA key (0600) and a CSR that openssl verifies, with the SANs asked for", async () => {
    const out = join(dir, "rsa");
    const run = await certrelay([
      "csr",
      "--type",
      "rsa",
      "--cn",
      "www.example.com",
      "--san",
      "www.example.com",
      "example.com",
      "--out",
      out,
    ]);
    expect(run.code).toBe(0);
    const key = join(out, "www.example.com.key");
    const csr = join(out, "www.example.com.csr");
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    expect(
      execFileSync("openssl", ["req", "-verify", "-noout", "-in", csr], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ).toBe("");
    const facts = await inspectCsr(await readFile(csr, "utf8"));
    expect(facts).toMatchObject({
      commonName: "www.example.com",
      sans: ["www.example.com", "example.com"],
      keyType: "rsa",
      keyBits: 2048,
    });
    expect(run.stdout).toContain(key);
    expect(run.stdout).not.toContain("PRIVATE KEY");
  });

  it("writes a P-256 key for --type ecc, named safely for a wildcard", async () => {
    const out = join(dir, "ecc");
    const run = await certrelay(["csr", "--type", "ecc", "--cn", "*.example.com", "--out", out, "--json"]);
    expect(run.code).toBe(0);
    const written = JSON.parse(run.stdout);
    expect(written.key).toBe(join(out, "wildcard.example.com.key"));
    expect((await stat(written.key)).mode & 0o777).toBe(0o600);
    const verify = execFileSync("openssl", ["req", "-verify", "-noout", "-text", "-in", written.csr], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(verify).toContain("prime256v1");
    expect(verify).toContain("DNS:*.example.com");
  });

  it("never overwrites an existing key: exit 2, the old key untouched", async () => {
    const out = join(dir, "rsa");
    const before = await readFile(join(out, "www.example.com.key"), "utf8");
    const run = await certrelay(["csr", "--cn", "www.example.com", "--out", out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("already exists");
    expect(await readFile(join(out, "www.example.com.key"), "utf8")).toBe(before);
  });
});
