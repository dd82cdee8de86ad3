import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config/index.js";

async function rejection(text: string, source?: string): Promise<ConfigError> {
  try {
    await parseConfig(text, source);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected the config to be rejected");
}

describe("a certrelay.yml that is not valid YAML", () => {
  it("reports the line and column, naming the file", async () => {
    const error = await rejection(
      `concurrency: 2\ncertificates:\n  - name: www\n    secret: [certrelay/www\n`,
      "conf/prod.yml",
    );
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.problems[0]?.message).toMatch(/^YAML syntax error: /);
    expect(error.problems[0]?.line).toBeGreaterThanOrEqual(4);
    expect(error.message).toMatch(/^conf\/prod\.yml(:| has)/);
    expect(error.message).toMatch(/\(line \d+, column \d+\)/);
  });

  it("does not quote the offending source line (it may hold a pasted secret)", async () => {
    const error = await rejection(`certificates:\n  - name: www\n   password: MARKER: nested\n`);
    expect(error.problems[0]?.line).toBe(3);
    expect(error.message).not.toContain("MARKER");
  });

  it("reports a repeated key by line", async () => {
    const error = await rejection(`concurrency: 2\nconcurrency: 3\ncertificates: []\n`);
    expect(error.problems[0]).toMatchObject({ line: 2 });
    expect(error.problems[0]?.message).toContain("YAML syntax error");
  });

  it("reports an empty file", async () => {
    expect((await rejection("")).message).toBe("certrelay.yml: is empty; it needs at least a `certificates:` list");
  });
});
