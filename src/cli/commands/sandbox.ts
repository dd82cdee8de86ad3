/**
 * `certrelay sandbox`: the four vendor sandboxes on loopback, for trying certrelay without any vendor account.
 * The credentials printed are fixed demo values of the sandbox, not anybody's secrets.
 */
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { resolve } from "node:path";
import { createDemoWorld } from "../../demo/world.js";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { renderTable, type CliIo } from "../output.js";

interface SandboxFlags {
  demoDir?: string;
  portFile?: string;
  caOut?: string;
  json?: boolean;
}

export function sandboxDescription(sandbox: Sandbox): { urls: Sandbox["urls"]; edgePort: number; credentials: Sandbox["credentials"]; ca: string } {
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
    .option("--json", "print the description as one JSON line instead of a table")
    .addHelpText(
      "after",
      "\nExample:\n  $ certrelay sandbox --port-file sandbox.json --ca-out sandbox-ca.pem\n  $ certrelay sandbox --demo-dir demo    # then, in another terminal:\n  $ certrelay check --config demo/certrelay.yml --store-dir demo/store --ca-file demo/ca.pem",
    )
    .action(async (flags: SandboxFlags) => {
      const world = flags.demoDir ? await createDemoWorld({ dir: resolve(flags.demoDir) }) : undefined;
      const sandbox = world?.sandbox ?? (await startSandbox());
      try {
        const description = sandboxDescription(sandbox);
        if (flags.caOut) await writeFile(flags.caOut, sandbox.ca.chainPem);
        if (flags.portFile) await writeFile(flags.portFile, `${JSON.stringify(description, null, 2)}\n`);
        if (flags.json) {
          io.out(JSON.stringify(description));
        } else {
          const c = sandbox.credentials;
          io.out(
            renderTable(
              ["vendor", "url", "demo credentials"],
              [
                ["yeastar (PBX)", sandbox.urls.yeastar, `username=${c.yeastar.username} password=${c.yeastar.password}`],
                ["enos (IoT)", sandbox.urls.enos, `appKey=${c.enos.appKey} appSecret=${c.enos.appSecret}`],
                ["cdn (SwiftFederation)", sandbox.urls.cdn, `accessKeyId=${c.cdn.accessKeyId} accessKeySecret=${c.cdn.accessKeySecret}`],
                ["cdn edge (HTTPS)", sandbox.urls.edge, "connect with SNI = your verifyHost"],
                ["reseller (Resello)", sandbox.urls.reseller, Object.entries(c.reseller).map(([k, v]) => `${k}=${v}`).join(" ")],
              ],
            ),
          );
          io.out(io.colors.dim("These are the sandbox's built-in demo values, not secrets. Trust its CA with --ca-file (see --ca-out)."));
          if (world) {
            io.out(`Demo seeded: ${world.config.certificates.length} certificates in ${world.storeDir}, config ${world.configPath}, CA ${world.caPath}`);
            io.out(`Try: certrelay check --config ${world.configPath} --store-dir ${world.storeDir} --ca-file ${world.caPath}`);
          }
          io.out("Press Ctrl-C to stop.");
        }
        const signal = await waitForSignal();
        if (!flags.json) io.out(`${signal}: stopping the sandboxes`);
      } finally {
        await sandbox.stop();
      }
      setExit(0);
    });
}
