/**
 * docs/vendors.md is what a maintainer checks when a vendor changes its API: every sandbox file that models an
 * undocumented behaviour (an `inferred` marker) must be listed there with its inferences.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const SANDBOX = join(ROOT, "src/sandbox");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("docs/vendors.md", () => {
  it("names every sandbox file (ACME aside, documented in docs/acme.md) that carries an inferred marker", () => {
    const doc = readFileSync(join(ROOT, "docs/vendors.md"), "utf8");
    const inferred = files(SANDBOX)
      .filter((f) => !relative(SANDBOX, f).startsWith("acme"))
      .filter((f) => /inferred/.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(inferred.length).toBeGreaterThan(0);
    expect(inferred.filter((f) => !doc.includes(`\`${f}\``))).toEqual([]);
  });

  it("carries the EnOS published signature vector the unit test pins", () => {
    const doc = readFileSync(join(ROOT, "docs/vendors.md"), "utf8");
    expect(doc).toContain("59828328f6c1f9771015dc74e4929ae30f518a35a3d2353972c2ea46556fc981");
  });
});
