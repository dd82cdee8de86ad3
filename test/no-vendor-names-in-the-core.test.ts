/**
 * The core speaks no vendor's name: what varies by vendor lives in src/providers/<vendor>/ and reaches the pipeline,
 * the operations, the fleet scan, the Action and the Lambda through the provider definitions. A vendor name in those
 * folders (code or comment) is a switch or an assumption waiting to happen; this names each one by file and line.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const CORE = ["src/pipeline", "src/operations", "src/fleet", "action", "lambda"];
const VENDOR_NAMES = /yeastar|enos|cdn|reseller|acme/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|js|mjs|cjs|json)$/.test(name) ? [path] : [];
  });
}

describe("no vendor name in the core", () => {
  it.each(CORE)("%s names no vendor", (dir) => {
    const hits: string[] = [];
    for (const file of sourceFiles(dir)) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, index) => {
          const found = VENDOR_NAMES.exec(line);
          if (found) hits.push(`${file}:${index + 1}: ${found[0]} in "${line.trim()}"`);
        });
    }
    expect(hits, `vendor names belong in src/providers/<vendor>/:\n${hits.join("\n")}`).toEqual([]);
  });

  it("the check itself finds a vendor name where there is one", () => {
    // guards against a pattern or folder list that silently matches nothing
    expect(sourceFiles("src/providers").some((file) => VENDOR_NAMES.test(readFileSync(file, "utf8")))).toBe(true);
    for (const dir of CORE) expect(sourceFiles(dir).length, dir).toBeGreaterThan(0);
  });
});
