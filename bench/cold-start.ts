/**
 * Cold start of each bundle against the floor a user could not go below, interleaved so machine noise hits every
 * candidate alike:
 * - the Action against a minimal action that only imports @actions/core (bundled the same way);
 * - the Lambda handlers against a minimal handler that only imports the Secrets Manager client (same bundle
 *   options: the AWS SDK external, loaded from node_modules as the Lambda runtime provides it);
 * - everything against bare `node -e 0`.
 * Bundles are built from this tree into a temp dir (dist/ may lag behind the sources). The Action runs with no
 * INPUT_* variables and fails fast on the missing inputs: import cost plus input parsing; exit codes are ignored.
 *
 * Every candidate runs WITHOUT `NODE_EXTRA_CA_CERTS`, even when the machine running the bench sets it (this one
 * does): node then reads and parses that CA file at every start (~27 ms here), floors and bare node included, which
 * adds the same constant to both sides of each ratio and makes every bundle look closer to its floor than it is.
 * GitHub-hosted runners do not set it, and Lambda's Node.js 20+ runtimes no longer load extra CAs at start by
 * default (AWS's Node.js 20 runtime announcement; summary:
 * https://dev.classmethod.jp/articles/node-extra-ca-certs-influence-cold-start/).
 *
 * The Lambda rows "import" are the module's import only. Since yaml is loaded on first use (src/config/yaml.ts),
 * part of the cost moved from the import to the handler's first config read, which every cold invocation makes:
 * the rows "import + first config parse" show it. A scheduler invocation that parsed a valid config would go on to
 * Secrets Manager (network), so the driver gives the handler, through CERTRELAY_CONFIG_YAML, a small config that
 * passes every step of parseConfig (yaml import and parse, shape and secret checks, the schema) and is refused only
 * at the end for a certificate name used twice: the handler builds its deps (the Secrets Manager client), reads and
 * validates the config, logs the refusal (stdout ignored) and rejects, having made no request. Its floor is the
 * minimal handler imported and invoked once, which constructs the Secrets Manager client.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { bundles } from "../scripts/bundles.js";
import { fmtBytes, fmtMs, median, type Row } from "./lib.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TARGET = 1.3;

interface Candidate {
  name: string;
  args: string[];
  /** name of the candidate this one is compared with */
  floor?: string;
  /** added to the quiet environment for this candidate only */
  env?: Record<string, string>;
}

const FLOOR_ACTION = `import * as core from "@actions/core";\ncore.getInput("operation");\n`;
const FLOOR_LAMBDA = `import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";\nlet client;\nexport const handler = async () => (client ??= new SecretsManagerClient({})).config.serviceId;\n`;

/** The shipped bundles and the two floors, built with the shipped options into `dir`. */
async function buildAll(dir: string): Promise<Record<string, string>> {
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, "floor-action.js"), FLOOR_ACTION);
  writeFileSync(join(dir, "floor-lambda.js"), FLOOR_LAMBDA);
  const out = (name: string) => join(dir, "out", name);
  await Promise.all([
    build({ ...bundles.action, absWorkingDir: ROOT, outdir: out("action") }),
    build({ ...bundles.lambda, absWorkingDir: ROOT, outdir: out("lambda") }),
    build({ ...bundles.cli, absWorkingDir: ROOT, outdir: out("cli") }),
    build({
      ...bundles.action,
      absWorkingDir: dir,
      entryPoints: { index: join(dir, "floor-action.js") },
      outdir: out("floor-action"),
    }),
    build({
      ...bundles.lambda,
      absWorkingDir: dir,
      entryPoints: { handler: join(dir, "floor-lambda.js") },
      outdir: out("floor-lambda"),
    }),
  ]);
  return {
    action: out("action/index.js"),
    scheduler: out("lambda/scheduler.mjs"),
    worker: out("lambda/worker.mjs"),
    cli: out("cli/index.js"),
    floorAction: out("floor-action/index.js"),
    floorLambda: out("floor-lambda/handler.mjs"),
  };
}

/**
 * Environment without Action inputs or GitHub files, so the Action bundle touches nothing, and without
 * NODE_EXTRA_CA_CERTS, which neither GitHub-hosted runners nor Lambda's Node 20+ runtimes set (header comment).
 */
function quietEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("INPUT_") || k.startsWith("GITHUB_") || k.startsWith("RUNNER_") || k.startsWith("CERTRELAY_"))
      continue;
    if (k === "NODE_EXTRA_CA_CERTS") continue;
    env[k] = v;
  }
  return env;
}

function once(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  spawnSync(process.execPath, args, { env, stdio: "ignore", timeout: 30_000 });
  return performance.now() - started;
}

const importOf = (file: string) => ["--input-type=module", "-e", `await import(${JSON.stringify(`file://${file}`)})`];

/** import the handler module, then invoke it once as Lambda would (a rejection is expected and ignored) */
const invokeOf = (file: string) => [
  "--input-type=module",
  "-e",
  `const { handler } = await import(${JSON.stringify(`file://${file}`)});
  await Promise.resolve(handler({}, { awsRequestId: "cold-start-bench", getRemainingTimeInMillis: () => 60_000 })).catch(() => undefined);`,
];

/**
 * Valid YAML that passes the schema and every check of parseConfig, refused only because two certificates share a
 * name (src/config/load.ts reports that after the schema ran): the parse costs what a valid config's does.
 */
const BENCH_CONFIG_YAML = [
  "renewBeforeDays: 30",
  "certificates:",
  ...["www", "www"].map((name, i) =>
    [
      `  - name: ${name}`,
      `    secret: certrelay/certs/${name}-${i}`,
      `    commonName: ${name}.example.com`,
      "    issuer: { provider: reseller, endpoint: https://reseller.example.com, credentials: certrelay/reseller, dcvType: DNS }",
      "    targets:",
      "      - { provider: cdn, endpoint: https://cdn.example.com, credentials: certrelay/cdn, verifyHost: www.example.com }",
      "      - { provider: yeastar, endpoint: https://pbx.example.com:8088, credentials: certrelay/pbx }",
    ].join("\n"),
  ),
].join("\n");

export async function measureColdStart(runs: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), "certrelay-cold-"));
  try {
    const files = await buildAll(dir);
    const candidates: Candidate[] = [
      { name: "bare node -e 0", args: ["-e", "0"] },
      { name: "floor: action importing only @actions/core", args: [files.floorAction as string] },
      { name: "Action index.js", args: [files.action as string], floor: "floor: action importing only @actions/core" },
      {
        name: "floor: handler importing only the Secrets Manager client (import)",
        args: importOf(files.floorLambda as string),
      },
      {
        name: "Lambda scheduler.mjs (import)",
        args: importOf(files.scheduler as string),
        floor: "floor: handler importing only the Secrets Manager client (import)",
      },
      {
        name: "Lambda worker.mjs (import)",
        args: importOf(files.worker as string),
        floor: "floor: handler importing only the Secrets Manager client (import)",
      },
      {
        name: "floor: handler importing only the Secrets Manager client (import + constructing the client)",
        args: invokeOf(files.floorLambda as string),
      },
      {
        name: "Lambda scheduler.mjs (import + first config parse)",
        args: invokeOf(files.scheduler as string),
        floor: "floor: handler importing only the Secrets Manager client (import + constructing the client)",
        env: { CERTRELAY_CONFIG_YAML: BENCH_CONFIG_YAML },
      },
      { name: "CLI index.js --help", args: [files.cli as string, "--help"] },
    ];
    const quiet = quietEnv();
    const envOf = (c: Candidate): NodeJS.ProcessEnv => ({ ...quiet, ...c.env });
    const samples = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
    // one warm-up round fills the page cache for every file
    for (const c of candidates) once(c.args, envOf(c));
    for (let i = 0; i < runs; i += 1) {
      for (const c of candidates) samples.get(c.name)?.push(once(c.args, envOf(c)));
    }
    const mid = (name: string) => median(samples.get(name) ?? [0]);
    const bare = mid("bare node -e 0");
    return candidates.map((c): Row => {
      const m = mid(c.name);
      const vsBare = `${(m / bare).toFixed(2)}x bare`;
      if (!c.floor)
        return {
          group: "cold start",
          measure: `${c.name} (median of ${runs}, no NODE_EXTRA_CA_CERTS)`,
          value: fmtMs(m),
          reference: c.name === "bare node -e 0" ? "-" : `${vsBare} (${fmtMs(bare)})`,
          target: "-",
          met: "",
        };
      const floor = mid(c.floor);
      const ratio = m / floor;
      return {
        group: "cold start",
        measure: `${c.name} (median of ${runs}, no NODE_EXTRA_CA_CERTS)`,
        value: `${fmtMs(m)} (${ratio.toFixed(2)}x floor)`,
        reference: `${c.floor.replace("floor: ", "floor ")} ${fmtMs(floor)}; ${vsBare}`,
        target: `<= ${TARGET}x floor`,
        met: ratio <= TARGET ? "yes" : "no",
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function bundleSizes(): Row[] {
  const files = ["dist/action/index.js", "dist/lambda/scheduler.mjs", "dist/lambda/worker.mjs", "dist/cli/index.js"];
  return files.map((file) => ({
    group: "bundle size",
    measure: file,
    value: existsSync(file) ? fmtBytes(statSync(file).size) : "not built",
    reference: "-",
    target: "-",
    met: "",
  }));
}
