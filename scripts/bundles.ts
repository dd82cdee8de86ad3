import type { BuildOptions } from "esbuild";

/**
 * The bundles certrelay ships, from one core. Shared by `npm run build` and the test that fails when the
 * committed dist/ differs from a fresh build.
 */

// ESM bundles that contain CommonJS dependencies need a real `require` (TOOLCHAIN.md: "Dynamic require of net").
const requireBanner = 'import { createRequire as __certrelayCreateRequire } from "node:module"; const require = __certrelayCreateRequire(import.meta.url);';

const common: BuildOptions = {
  bundle: true,
  platform: "node",
  // Runs on Actions node24 and Lambda nodejs22.x, and must still run on Node 20 here.
  target: "node20",
  format: "esm",
  minify: true,
  // Error class names are part of what users see (`--json`, Lambda logs, the Action's messages): keep them real.
  keepNames: true,
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "none",
  banner: { js: requireBanner },
  logLevel: "silent",
  metafile: true,
};

export const bundles: Record<string, BuildOptions> = {
  action: {
    ...common,
    entryPoints: { index: "action/index.ts" },
    outdir: "dist/action",
  },
  lambda: {
    ...common,
    entryPoints: { scheduler: "lambda/scheduler.ts", worker: "lambda/worker.ts" },
    outdir: "dist/lambda",
    outExtension: { ".js": ".mjs" },
    // The Lambda Node.js runtime ships AWS SDK v3: leaving it out keeps the artifact small and cold starts quick.
    external: ["@aws-sdk/*"],
  },
  cli: {
    ...common,
    entryPoints: { index: "src/cli/main.ts" },
    outdir: "dist/cli",
  },
};
