import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { bundles } from "../scripts/bundles.js";

// GitHub runs the committed dist/, not src/: a stale bundle ships old behaviour. Build in memory and compare.
describe("committed dist/", () => {
  for (const [name, options] of Object.entries(bundles)) {
    it(`${name} bundle equals a fresh build of the sources`, async () => {
      const result = await build({ ...options, write: false });
      const stale: string[] = [];
      for (const file of result.outputFiles) {
        const path = relative(process.cwd(), file.path);
        let committed: Buffer;
        try {
          committed = readFileSync(path);
        } catch {
          stale.push(`${path} (missing)`);
          continue;
        }
        if (!committed.equals(Buffer.from(file.contents))) stale.push(path);
      }
      expect(stale, "run `npm run build` and commit dist/").toEqual([]);
    });
  }
});
