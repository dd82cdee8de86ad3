import { describe, expect, it } from "vitest";
import { bufferIo } from "../src/cli/output.js";
import { runDemo } from "../src/demo/run.js";

describe("npm start", () => {
  it("walks the due certificates to renewed, shows the edge serving the new one, and exits 0", async () => {
    const io = bufferIo();
    const code = await runDemo({ io });
    const out = io.stdout.join("\n");
    expect(code, out).toBe(0);
    const [before, after] = out.split("After:") as [string, string];
    // before: three due, one fine
    expect(before.match(/│ DUE /g)).toHaveLength(3);
    expect(before).toMatch(/static .*│ ok /);
    // progress line per certificate
    expect(out).toMatch(/\[\d\/4\] www\s+renewed/);
    expect(out).toMatch(/\[\d\/4\] device-42\s+renewed/);
    expect(out).toContain("(trusted chain, matches the store)");
    // after: due -> renewed with new serials, static unchanged
    for (const name of ["www", "api", "device-42"]) expect(after).toMatch(new RegExp(`${name} .*│ renewed `));
    expect(after).toMatch(/static .*│ unchanged /);
    expect(after).toContain("4 certificates: 3 renewed, 1 unchanged");
    expect(after).not.toContain("✗");
    // Pebble is installed on these machines (.ci/run installs it): the ACME part runs too
    expect(after).toMatch(/\[1\/1\] shop\s+renewed/);
    expect(after).toContain("(renewed from Pebble, chain trusted up to Pebble's root, also on the PBX)");
    expect(after).toContain("TXT records left after validation: 0");
  });
});
