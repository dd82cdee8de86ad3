import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import { certrelay, lines } from "./support/cli.js";

describe("usage errors", () => {
  it("an unknown flag exits 2 with one line naming it and where to look", async () => {
    const run = await certrelay(["check", "--bogus"]);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain("error INPUT_INVALID: unknown option '--bogus'");
    expect(run.stderr).toContain("certrelay check --help");
    expect(run.stdout).toBe("");
  });

  it("an unknown command exits 2 with one line", async () => {
    const run = await certrelay(["rotate"]);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain("unknown command 'rotate'");
  });

  it("a value outside the choices exits 2 with one line", async () => {
    const run = await certrelay(["csr", "--type", "dsa", "--cn", "www.example.com"]);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/--type.*dsa.*rsa, ecc/);
  });

  it("a malformed number exits 2 naming the flag, before the config is read", async () => {
    const run = await certrelay(["check", "--config", "does-not-exist.yml", "--poll-interval", "soon"]);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual([
      "error INPUT_INVALID: --poll-interval expects milliseconds as a whole number, e.g. --poll-interval 2000",
    ]);
  });

  it("a missing config file is a usage error like a missing PEM file: exit 2, code in --json", async () => {
    const run = await certrelay(["check", "--config", "does-not-exist.yml", "--json"]);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain("error INPUT_MISSING: --config does-not-exist.yml not found");
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: "INPUT_MISSING" } });
  });

  it("a bad value in certrelay.yml exits 2 like a bad flag value, naming the path, the line and what is expected", async () => {
    const dir = await mkdtemp(join(tmpdir(), "certrelay-bad-value-"));
    try {
      const path = join(dir, "certrelay.yml");
      await writeFile(
        path,
        [
          "certificates:",
          "  - name: www",
          "    secret: certrelay/www",
          "    renewBeforeDays: 0",
          "    targets:",
          "      - { provider: cdn, endpoint: https://cdn.example, credentials: certrelay/cdn }",
        ].join("\n"),
      );
      for (const command of ["check", "renew", "deploy"]) {
        const run = await certrelay([command, "--config", path, "--json"]);
        expect(run.code, command).toBe(2);
        expect(run.stderr).toMatch(
          /^error CONFIG_INVALID: .*certificates\[0\]\.renewBeforeDays: expected a whole number of days from 1 to 365 \(line 4\)/,
        );
        expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: "CONFIG_INVALID" } });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a --ca-file holding a private key beside the CA exits 2 naming the flag and the block, the key never printed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "certrelay-ca-key-"));
    try {
      const config = join(dir, "certrelay.yml");
      await writeFile(
        config,
        [
          "certificates:",
          "  - name: www",
          "    secret: certrelay/www",
          "    targets:",
          "      - { provider: cdn, endpoint: https://cdn.example, credentials: certrelay/cdn }",
        ].join("\n"),
      );
      const key = generateKeyPairSync("ec", { namedCurve: "P-256" })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString();
      const caFile = join(dir, "ca.pem");
      await writeFile(caFile, `${(await TestCA.create({ name: "Cli" })).rootPem}${key}`);
      const run = await certrelay(["check", "--config", config, "--store-dir", dir, "--ca-file", caFile]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `--ca-file ${caFile} block 2 is a private key (it never goes there), not a CA certificate`,
      );
      expect(`${run.stdout}${run.stderr}`).not.toContain(key.split("\n")[1] as string);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
