import { build } from "esbuild";
import { rmSync } from "node:fs";
import { bundles } from "./bundles.js";

rmSync("dist", { recursive: true, force: true });
for (const [name, options] of Object.entries(bundles)) {
  const result = await build(options);
  const outputs = Object.entries(result.metafile?.outputs ?? {}).filter(([file]) => !file.endsWith(".map"));
  for (const [file, meta] of outputs) {
    console.log(`${name.padEnd(7)} ${file.padEnd(28)} ${(meta.bytes / 1024).toFixed(1).padStart(8)} KiB`);
  }
}
