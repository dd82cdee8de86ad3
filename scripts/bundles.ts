import { resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions, Plugin } from "esbuild";

/**
 * The bundles certrelay ships, from one core. Shared by `npm run build` and the test that fails when the
 * committed dist/ differs from a fresh build.
 */

// ESM bundles that contain CommonJS dependencies need a real `require` (TOOLCHAIN.md: "Dynamic require of net").
const requireBanner =
  'import { createRequire as __certrelayCreateRequire } from "node:module"; const require = __certrelayCreateRequire(import.meta.url);';

/**
 * Packages that only some runs use, loaded with `await import()`, each built as a file of its own beside the entry
 * (`lazy-<name>`): a single-file bundle makes every start parse all it holds, even code it never runs (the handler's
 * start and its peak memory grow with that parse). esbuild `splitting` is not used: its chunks give a dynamically
 * imported CommonJS package only a `default` export, so `({ Agent }) => new Agent()` fails.
 */
const LAZY_PACKAGES = {
  undici: { specifier: "undici", file: "src/lazy/undici.ts" },
  "acme-client": { specifier: "acme-client", file: "src/lazy/acme-client.ts" },
  "proper-lockfile": { specifier: "proper-lockfile", file: "src/lazy/proper-lockfile.ts" },
  // the AWS SDK is bundled only into the Action and the CLI; the Lambda bundles leave all of @aws-sdk/* external
  route53: { specifier: "@aws-sdk/client-route-53", file: "src/lazy/route53.ts" },
  // only a run that reads a certrelay.yml parses YAML (src/config/yaml.ts); in the Lambda that is every cold
  // invocation, so there the cost moves from the import to the first config read (bench/cold-start.ts shows both)
  yaml: { specifier: "yaml", file: "src/lazy/yaml.ts" },
  // only a CDN account that answers one JSON array (src/providers/cdn/json-array.ts)
  streamparser: { specifier: "@streamparser/json", file: "src/lazy/streamparser.ts" },
} as const;
type LazyPackage = keyof typeof LAZY_PACKAGES;
/** certrelay's own modules reached only through `import()`, whose dependencies nothing else needs at start */
const LAZY_MODULES = { x509: "src/x509/peculiar.ts" } as const;

function lazyEntries(packages: readonly LazyPackage[]): Record<string, string> {
  const files = { ...Object.fromEntries(packages.map((name) => [name, LAZY_PACKAGES[name].file])), ...LAZY_MODULES };
  return Object.fromEntries(Object.entries(files).map(([name, file]) => [`lazy-${name}`, file]));
}

/**
 * `import("undici")` in certrelay's code becomes `import("./lazy-undici.js")` (the file built beside it),
 * `import("@aws-sdk/client-route-53")` `import("./lazy-route53.js")`, `import("@streamparser/json")`
 * `import("./lazy-streamparser.js")` (the same for proper-lockfile and yaml), and `import("./peculiar.js")` from
 * src/x509 `import("./lazy-x509.js")`.
 */
function lazyPackages(extension: string, packages: readonly LazyPackage[]): Plugin {
  const names = new Map<string, string>(packages.map((name) => [LAZY_PACKAGES[name].specifier, name]));
  const escaped = [...names.keys()].map((specifier) => specifier.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"));
  const filter = new RegExp(`^(${escaped.join("|")})$`);
  const modules = new Map(
    Object.entries(LAZY_MODULES).map(([name, file]) => [fileURLToPath(new URL(`../${file}`, import.meta.url)), name]),
  );
  return {
    name: "certrelay-lazy-packages",
    setup(build) {
      build.onResolve({ filter }, (args) =>
        args.kind === "dynamic-import"
          ? { path: `./lazy-${names.get(args.path)}${extension}`, external: true }
          : undefined,
      );
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind !== "dynamic-import") return undefined;
        const name = modules.get(resolvePath(args.resolveDir, args.path.replace(/\.js$/, ".ts")));
        return name === undefined ? undefined : { path: `./lazy-${name}${extension}`, external: true };
      });
    },
  };
}

/** what each bundle loads lazily from files of its own */
const BUNDLED_SDK: readonly LazyPackage[] = [
  "undici",
  "acme-client",
  "proper-lockfile",
  "route53",
  "yaml",
  "streamparser",
];
// the Lambda handlers use no file store: proper-lockfile is not in them at all
const EXTERNAL_SDK: readonly LazyPackage[] = ["undici", "acme-client", "yaml", "streamparser"];

const common: BuildOptions = {
  bundle: true,
  platform: "node",
  // Runs on Actions node24 and Lambda nodejs22.x, and must still run on Node 20 here.
  target: "node20",
  format: "esm",
  minify: true,
  // No `keepNames`: it wraps every function and class in a `__name()` call, run at load and on each closure made
  // (about 7 ms of the Action's start, none of its floor's). The error names users see (`--json`, Lambda logs,
  // the Action's messages) are set explicitly in src/errors.ts and its two subclasses, not read from class names.
  keepNames: false,
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
    entryPoints: { index: "action/index.ts", ...lazyEntries(BUNDLED_SDK) },
    outdir: "dist/action",
    plugins: [lazyPackages(".js", BUNDLED_SDK)],
  },
  lambda: {
    ...common,
    entryPoints: { scheduler: "lambda/scheduler.ts", worker: "lambda/worker.ts", ...lazyEntries(EXTERNAL_SDK) },
    outdir: "dist/lambda",
    plugins: [lazyPackages(".mjs", EXTERNAL_SDK)],
    outExtension: { ".js": ".mjs" },
    // The Lambda Node.js runtime ships AWS SDK v3: leaving it out keeps the artifact small and cold starts quick.
    external: ["@aws-sdk/*"],
  },
  cli: {
    ...common,
    entryPoints: { index: "src/cli/main.ts", ...lazyEntries(BUNDLED_SDK) },
    outdir: "dist/cli",
    plugins: [lazyPackages(".js", BUNDLED_SDK)],
  },
};
