import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, parseConfig } from "../src/config/index.js";
import { builtInCatalog } from "../src/providers/catalog.js";

/** A certrelay.yml of `count` certificates in the shapes people write: comments, flow lists, quotes, a block scalar. */
function fleetYaml(count: number, options: { tail?: string; crlf?: boolean } = {}): string {
  const lines = ["# fleet of the integration test", "renewBeforeDays: 21", "", "certificates:"];
  for (let i = 0; i < count; i += 1) {
    lines.push(
      `  # certificate ${i}`,
      `  - name: host-${i}`,
      `    secret: "certrelay/fleet/${i}"`,
      `    commonName: host-${i}.example.com`,
      `    sans: [host-${i}.example.com, 'alt-${i}.example.com']`,
      ...(i % 7 === 0 ? ["    renewBeforeDays: 14"] : []),
      "    targets:",
      i % 2 === 0
        ? `      - { provider: cdn, endpoint: "https://api.cdn.example", credentials: certrelay/cdn }`
        : "      - provider: enos",
      ...(i % 2 === 0
        ? []
        : [
            "        endpoint: https://apigw.example",
            "        credentials: certrelay/enos",
            "        orgId: o15",
            `        assetId: device-${i}`,
          ]),
      "",
    );
  }
  if (options.tail) lines.push(options.tail);
  const text = `${lines.join("\n")}\n`;
  return options.crlf ? text.replaceAll("\n", "\r\n") : text;
}

describe("a certrelay.yml with thousands of certificates", () => {
  it("reads the same as the whole document, top-level keys after the list included", async () => {
    const text = fleetYaml(2_000, { tail: "concurrency: 12 # after the list" });
    expect(text.length).toBeGreaterThan(256 * 1024);
    const config = await parseConfig(text, "big.yml");
    expect(config).toEqual(builtInCatalog().configSchema.parse(parse(text)));
    expect(config.certificates).toHaveLength(2_000);
    expect(config.concurrency).toBe(12);
    expect(config.certificates[7]?.renewBeforeDays).toBe(14);
  });

  it("reads the same with Windows line endings", async () => {
    const text = fleetYaml(2_000, { crlf: true });
    expect(await parseConfig(text, "big.yml")).toEqual(builtInCatalog().configSchema.parse(parse(text)));
  });

  it("still names the line of a problem deep in the list", async () => {
    const text = fleetYaml(2_000).replace("    commonName: host-1500.example.com", "    commonName: not a host name");
    let error: unknown;
    try {
      await parseConfig(text, "big.yml");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problem = (error as ConfigError).problems.find((p) => p.path === "certificates[1500].commonName");
    expect(problem?.line).toBe(text.split("\n").findIndex((l) => l.includes("not a host name")) + 1);
  });

  it("still reports a name used twice", async () => {
    const text = fleetYaml(2_000).replace("  - name: host-1999", "  - name: host-3");
    await expect(parseConfig(text, "big.yml")).rejects.toThrow(ConfigError);
  });
});
