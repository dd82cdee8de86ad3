import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config/index.js";
import { certrelay } from "./support/cli.js";
import { exampleConfig, withLine } from "./support/config-example.js";

async function rejection(text: string): Promise<ConfigError> {
  try {
    await parseConfig(text);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected the config to be rejected");
}

const cdnLine = "      - { provider: cdn,";
// letters and digits only around one "/": a random "+", "/" or leading "-" would change how YAML reads the line, and
// a short fragment between two "/" could appear in any output by chance
const keyish = (bytes: number): string =>
  randomBytes(bytes)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "x");
const pastedKey = `${keyish(15)}/${keyish(12)}`;

// certrelay.yml read by an unattended scheduler: a hostile or mistaken file is refused, with the line to fix, and a
// secret pasted into it is never repeated.
describe("hostile and mistaken certrelay.yml files", () => {
  it("a recursive alias is refused with its line, not a stack overflow", async () => {
    const error = await rejection(`loop: &a\n  again: *a\n${exampleConfig}`);
    expect(error.problems).toEqual([{ path: "", message: expect.stringContaining("recursive alias"), line: 2 }]);
  });

  it("a billion-laughs file is refused with the line of the alias that blows up", async () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    const error = await rejection(`${levels.join("\n")}\n${exampleConfig}`);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.message).toContain("billion laughs");
    expect(error.problems[0]?.line).toBeGreaterThanOrEqual(5);
  });

  it("aliases used sensibly still work", async () => {
    const text = exampleConfig
      .replace(
        "credentials: certrelay/enos, orgId: o15, productKey",
        "credentials: &enos certrelay/enos, orgId: o15, productKey",
      )
      .replace("credentials: certrelay/enos, orgId: o15, assetId", "credentials: *enos, orgId: o15, assetId");
    expect(text).toContain("*enos");
    expect((await parseConfig(text)).certificates[1]?.targets[0]).toMatchObject({ credentials: "certrelay/enos" });
  });

  it("a key given twice is refused with the line of the second, without echoing it", async () => {
    const error = await rejection(
      exampleConfig.replace(
        "    commonName: www.example.com\n",
        `    commonName: www.example.com\n    ${pastedKey.replace("/", "")}: 1\n    ${pastedKey.replace("/", "")}: 2\n`,
      ),
    );
    expect(error.problems).toEqual([{ path: "", message: expect.stringContaining("a key appears twice"), line: 7 }]);
    expect(error.message).not.toContain(pastedKey.replace("/", ""));
  });

  it("nesting past a sane depth is refused with its line", async () => {
    const error = await rejection(`${exampleConfig}deep: ${"[".repeat(200)}${"]".repeat(200)}\n`);
    expect(error.problems[0]?.message).toContain("nests deeper than");
    expect(error.problems[0]?.line).toBe(exampleConfig.split("\n").length);
  });

  it("a huge number of unknown keys is reported briefly (the first problems, then a count), in linear time", async () => {
    const keys = Array.from({ length: 30_000 }, (_, i) => `    extra${i}: 1`).join("\n");
    const text = exampleConfig.replace("    secret: certrelay/www\n", `    secret: certrelay/www\n${keys}\n`);
    const error = await rejection(text);
    expect(error.problems).toHaveLength(51);
    expect(error.problems[0]).toMatchObject({ path: "certificates[0].extra0", line: 5 });
    expect(error.problems[50]?.message).toMatch(/^and \d+ more problems/);
  }, 60_000);

  it("ports out of range are refused with their line", async () => {
    const error = await rejection(
      withLine(
        cdnLine,
        `      - { provider: cdn, endpoint: "https://cdn.example:70000", credentials: certrelay/cdn, verifyHost: www.example.com, verifyAddress: "127.0.0.1:0" }`,
      ),
    );
    expect(error.problems).toEqual([
      {
        path: "certificates[0].targets[0].endpoint",
        message: expect.stringContaining("port 70000 is out of range"),
        line: 11,
      },
      {
        path: "certificates[0].targets[0].verifyAddress",
        message: expect.stringContaining("port 0 is out of range"),
        line: 11,
      },
    ]);
  });

  it("http:// to another machine is refused unless allowInsecure; loopback is fine", async () => {
    const insecure = await rejection(
      withLine(cdnLine, `      - { provider: cdn, endpoint: "http://cdn.example", credentials: certrelay/cdn }`),
    );
    expect(insecure.problems).toEqual([
      {
        path: "certificates[0].targets[0].endpoint",
        message: expect.stringContaining("allowInsecure: true"),
        line: 11,
      },
    ]);
    await expect(
      parseConfig(
        withLine(
          cdnLine,
          `      - { provider: cdn, endpoint: "http://cdn.example", allowInsecure: true, credentials: certrelay/cdn }`,
        ),
      ),
    ).resolves.toBeDefined();
    await expect(
      parseConfig(
        withLine(cdnLine, `      - { provider: cdn, endpoint: "http://127.0.0.1:4000", credentials: certrelay/cdn }`),
      ),
    ).resolves.toBeDefined();
  });

  it("a certificate secret that is also a credentials secret is refused with its line", async () => {
    const error = await rejection(withLine("secret: certrelay/www", "    secret: certrelay/cdn"));
    expect(error.problems).toEqual([
      {
        path: "certificates[0].secret",
        message: expect.stringContaining("same store secret as certificates[0].targets[0].credentials"),
        line: 4,
      },
    ]);
  });

  it("a key pasted into credentials is refused with its line, the provider's field names, and never printed", async () => {
    const error = await rejection(
      withLine(cdnLine, `      - { provider: cdn, endpoint: "https://cdn.example", credentials: ${pastedKey} }`),
    );
    expect(error.problems).toEqual([
      {
        path: "certificates[0].targets[0].credentials",
        message: expect.stringContaining("accessKeyId, accessKeySecret"),
        line: 11,
      },
    ]);
    expect(error.message).not.toContain(pastedKey);
    for (const part of pastedKey.split("/")) expect(error.message).not.toContain(part);
  });

  it("a large fleet file (read item by item) is held to the same rules", async () => {
    const items = Array.from({ length: 2_000 }, (_, i) =>
      [
        `  - name: host-${i}`,
        `    secret: certrelay/certs/host-${i}`,
        "    targets:",
        `      - { provider: cdn, endpoint: "https://cdn.example", credentials: ${i === 1_500 ? pastedKey : "certrelay/cdn"} }`,
      ].join("\n"),
    );
    const text = `certificates:\n${items.join("\n")}\n`;
    expect(text.length).toBeGreaterThan(256 * 1024);
    const error = await rejection(text);
    expect(error.problems).toEqual([
      {
        path: "certificates[1500].targets[0].credentials",
        message: expect.stringContaining("looks like a pasted secret"),
        line: 2 + 1_500 * 4 + 3,
      },
    ]);
    expect(error.message).not.toContain(pastedKey);
    expect((await parseConfig(text.replace(pastedKey, "certrelay/cdn"))).certificates).toHaveLength(2_000);
  });

  it("ordinary secret ids are accepted", async () => {
    for (const id of [
      "certrelay/cdn",
      "prod/yeastar-pbx-01-headquarters",
      "MyCompany/Production/Yeastar2024",
      "team-a/prod/cdn-sfd-account-2",
    ]) {
      await expect(
        parseConfig(
          withLine(cdnLine, `      - { provider: cdn, endpoint: "https://cdn.example", credentials: ${id} }`),
        ),
        id,
      ).resolves.toBeDefined();
    }
  });

  it("an unknown key that looks like a secret is reported by its line, not echoed", async () => {
    const error = await rejection(
      withLine(
        cdnLine,
        `      - { provider: cdn, endpoint: "https://cdn.example", credentials: certrelay/cdn, ${pastedKey.replace("/", "")}: x }`,
      ),
    );
    expect(error.problems).toEqual([
      {
        path: expect.stringContaining("looks like a secret, not shown"),
        message: expect.stringContaining("pasted secret"),
        line: 11,
      },
    ]);
    expect(error.message).not.toContain(pastedKey.replace("/", ""));
  });

  describe("through the CLI, as a user runs it", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "certrelay-hostile-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("certrelay check names the file, the path and the line, exits 2 (input to fix) and prints no secret", async () => {
      const path = join(dir, "pasted.yml");
      writeFileSync(
        path,
        withLine(cdnLine, `      - { provider: cdn, endpoint: "https://cdn.example", credentials: ${pastedKey} }`),
      );
      const run = await certrelay(["check", "-c", path, "--json"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("certificates[0].targets[0].credentials: looks like a pasted secret");
      expect(run.stderr).toContain("(line 11)");
      const json = JSON.parse(run.stdout) as { ok: boolean; error: { name: string; code: string } };
      expect(json.error).toMatchObject({ name: "ConfigError", code: "CONFIG_INVALID" });
      for (const part of pastedKey.split("/")) expect(`${run.stdout}${run.stderr}`).not.toContain(part);
    });

    it("certrelay check refuses a recursive alias with its line instead of crashing", async () => {
      const path = join(dir, "loop.yml");
      writeFileSync(path, `loop: &a\n  again: *a\n${exampleConfig}`);
      const run = await certrelay(["check", "-c", path]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/error CONFIG_INVALID: .*recursive alias.*\(line 2\)/);
      expect(run.stderr).not.toMatch(/RangeError|Maximum call stack|INTERNAL/);
    });
  });
});
