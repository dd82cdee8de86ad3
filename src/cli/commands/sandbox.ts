/**
 * `certrelay sandbox`: the four vendor sandboxes on loopback, for trying certrelay without any vendor account.
 * The credentials printed are fixed demo values of the sandbox, not anybody's secrets.
 */
import { rename, rm, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { resolve } from "node:path";
import { createDemoWorld, type DemoWorld } from "../../demo/world.js";
import { CertrelayError, ErrorCodes } from "../../errors.js";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import type { Store } from "../../store/index.js";
import { createStore, usageError } from "../context.js";
import { renderTable, type CliIo } from "../output.js";

interface SandboxFlags {
  demoDir?: string;
  /** also copy the demo's secrets into Secrets Manager at this endpoint (a local moto_server), for the Lambda */
  seedAwsEndpoint?: string;
  awsRegion?: string;
  portFile?: string;
  caOut?: string;
  json?: boolean;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The demo's certificates and vendor credentials, copied from its file store into another store (Secrets Manager). */
async function seedSecretsManager(world: DemoWorld, target: Store): Promise<void> {
  const credentials = new Set<string>();
  for (const cert of world.config.certificates) {
    const current = await world.store.getCurrent(cert.secret);
    if (current) await target.putCurrent(cert.secret, current);
    for (const vendor of [...(cert.issuer ? [cert.issuer] : []), ...cert.targets]) credentials.add(vendor.credentials);
  }
  for (const id of credentials) await target.putCredentials?.(id, await world.store.getCredentials(id));
}

export function sandboxDescription(sandbox: Sandbox): {
  urls: Sandbox["urls"];
  edgePort: number;
  credentials: Sandbox["credentials"];
  ca: string;
} {
  return { urls: sandbox.urls, edgePort: sandbox.edge.port, credentials: sandbox.credentials, ca: sandbox.ca.chainPem };
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export function registerSandbox(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("sandbox")
    .description("run the Yeastar, EnOS, CDN and reseller sandboxes on 127.0.0.1 until Ctrl-C")
    .option("--demo-dir <dir>", "also seed the demo: certrelay.yml, a store with due certificates and ca.pem in <dir>")
    .option("--port-file <file>", "write URLs, demo credentials and the CA (JSON) here once listening")
    .option("--ca-out <file>", "write the sandbox CA (PEM) here, for --ca-file")
    .option(
      "--seed-aws-endpoint <url>",
      "with --demo-dir: also copy the demo's secrets into Secrets Manager at this endpoint (e.g. moto_server), to run the Lambda handlers locally",
    )
    .option("--aws-region <region>", "region for --seed-aws-endpoint (default: AWS_REGION, else us-east-1)")
    .option("--json", "print the description as one JSON line instead of a table")
    .addHelpText(
      "after",
      "\nExample:\n  $ certrelay sandbox --port-file sandbox.json --ca-out sandbox-ca.pem\n  $ certrelay sandbox --demo-dir demo    # then, in another terminal:\n  $ certrelay check --config demo/certrelay.yml --store-dir demo/store --ca-file demo/ca.pem",
    )
    .action(async (flags: SandboxFlags) => {
      // listen for the stop signal first: a script that sees the port file may send it at once
      const signalled = waitForSignal();
      const world = flags.demoDir ? await createDemoWorld({ dir: resolve(flags.demoDir) }) : undefined;
      const sandbox = world?.sandbox ?? (await startSandbox());
      try {
        if (flags.seedAwsEndpoint !== undefined) {
          if (!world)
            throw usageError(
              ErrorCodes.INPUT_MISSING,
              "--seed-aws-endpoint needs --demo-dir: it copies the demo's secrets",
              { field: "seed-aws-endpoint" },
            );
          const target = createStore(
            {
              storeDir: world.storeDir,
              awsEndpoint: flags.seedAwsEndpoint,
              ...(flags.awsRegion ? { awsRegion: flags.awsRegion } : {}),
            },
            io.env,
            "--seed-aws-endpoint",
          );
          try {
            await seedSecretsManager(world, target);
          } catch (error) {
            if (!(error instanceof CertrelayError)) throw error;
            // The sandbox stops without writing --port-file: one line says so and why, so a script (or a person)
            // waiting for that file learns it will not come (no credentials exported, moto_server not running).
            throw new CertrelayError(
              error.code,
              `--seed-aws-endpoint: the demo's secrets could not be copied, so the sandbox stopped: ${error.message}`,
              { field: "seed-aws-endpoint", cause: error },
            );
          }
        }
        const description = sandboxDescription(sandbox);
        // Written beside their final name and renamed into place: a script polling for the file never reads half of it.
        if (flags.caOut) await writeAtomically(flags.caOut, sandbox.ca.chainPem);
        if (flags.portFile) await writeAtomically(flags.portFile, `${JSON.stringify(description, null, 2)}\n`);
        if (flags.json) {
          io.out(JSON.stringify(description));
        } else {
          const c = sandbox.credentials;
          io.out(
            renderTable(
              ["vendor", "url", "demo credentials"],
              [
                [
                  "yeastar (PBX)",
                  sandbox.urls.yeastar,
                  `username=${c.yeastar.username} password=${c.yeastar.password}`,
                ],
                ["enos (IoT)", sandbox.urls.enos, `appKey=${c.enos.appKey} appSecret=${c.enos.appSecret}`],
                [
                  "cdn (SwiftFederation)",
                  sandbox.urls.cdn,
                  `accessKeyId=${c.cdn.accessKeyId} accessKeySecret=${c.cdn.accessKeySecret}`,
                ],
                ["cdn edge (HTTPS)", sandbox.urls.edge, "connect with SNI = your verifyHost"],
                [
                  "reseller (Resello)",
                  sandbox.urls.reseller,
                  Object.entries(c.reseller)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(" "),
                ],
              ],
            ),
          );
          io.out(
            io.colors.dim(
              "These are the sandbox's built-in demo values, not secrets. Trust its CA with --ca-file (see --ca-out).",
            ),
          );
          if (world) {
            io.out(
              `Demo seeded: ${world.config.certificates.length} certificates in ${world.storeDir}, config ${world.configPath}, CA ${world.caPath}`,
            );
            io.out(
              `Try: npx certrelay check --config ${world.configPath} --store-dir ${world.storeDir} --ca-file ${world.caPath}`,
            );
          }
          io.out("Press Ctrl-C to stop.");
        }
        const signal = await signalled;
        if (!flags.json) io.out(`${signal}: stopping the sandboxes`);
      } finally {
        await sandbox.stop();
      }
      setExit(0);
    });
}
