import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { bundles } from "./bundles.js";

// Each file is written beside its final name and renamed into place, so a test or a second build running at the
// same moment never sees a missing or half-written bundle.
for (const [name, options] of Object.entries(bundles)) {
  const result = await build({ ...options, write: false });
  const outdir = resolve(String(options.outdir));
  const fresh = new Set(result.outputFiles.map((f) => f.path));
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
  // outputs of renamed or removed entries must not linger in the committed dist/
  if (existsSync(outdir)) {
    for (const entry of readdirSync(outdir)) {
      const path = join(outdir, entry);
      if (!fresh.has(path) && !entry.endsWith(".tmp")) rmSync(path, { recursive: true, force: true });
    }
  }
  for (const [file, meta] of Object.entries(result.metafile?.outputs ?? {})) {
    if (file.endsWith(".map")) continue;
    console.log(`${name.padEnd(7)} ${file.padEnd(28)} ${(meta.bytes / 1024).toFixed(1).padStart(8)} KiB`);
  }
}
