import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certrelay, lines, requireBuiltCli, ROOT } from "./support/cli.js";

/** A port nobody listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

// No AWS credentials anywhere the SDK looks (the user who skipped the recipe's `export AWS_...` line).
const NO_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_SESSION_TOKEN: "",
  AWS_PROFILE: "",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
  AWS_CONFIG_FILE: "/nonexistent/config",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_REGION: "us-east-1",
};

// `certrelay sandbox --demo-dir D --seed-aws-endpoint URL` stops when it cannot seed: the README's recipe waits for its
// --port-file, so the stop must say why in one line on stderr, and the recipe's wait must end.
describe("sandbox --seed-aws-endpoint that cannot seed", () => {
  let dir: string;
  let port: number;
  beforeAll(async () => {
    requireBuiltCli();
    dir = await mkdtemp(join(tmpdir(), "certrelay-seed-"));
    port = await closedPort();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("without AWS credentials: one line naming the flag and the variables to export, exit 1, no port file", async () => {
    const demo = join(dir, "nocreds");
    const run = await certrelay(
      [
        "sandbox",
        "--demo-dir",
        demo,
        "--port-file",
        join(demo, "sandbox.json"),
        "--seed-aws-endpoint",
        `http://127.0.0.1:${port}`,
      ],
      { env: NO_CREDENTIALS },
    );
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^error STORE_ERROR: --seed-aws-endpoint: the demo's secrets could not be copied, so the sandbox stopped: .*no AWS credentials found; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    expect(existsSync(join(demo, "sandbox.json"))).toBe(false);
  });

  it("with moto_server not running: the hint names --seed-aws-endpoint, the flag the user typed", async () => {
    const demo = join(dir, "nomoto");
    const run = await certrelay(
      [
        "sandbox",
        "--demo-dir",
        demo,
        "--port-file",
        join(demo, "sandbox.json"),
        "--seed-aws-endpoint",
        `http://127.0.0.1:${port}`,
      ],
      { env: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" } },
    );
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain("the sandbox stopped");
    expect(run.stderr).toContain("check --seed-aws-endpoint and --aws-region");
    expect(run.stderr).not.toContain("check --aws-endpoint");
  });

  it("the README's lambda recipe does not wait forever for sandbox.json: it ends, and the reason is shown", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const recipe = /<!-- recipe: lambda -->\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    // the recipe's own lines from starting the sandbox through the wait for its port file, copied verbatim
    const all = recipe.split("\n");
    const start = all.findIndex((l) => l.startsWith("node bin/certrelay.js sandbox"));
    const waits = all.slice(start, start + 3);
    expect(waits[1]).toMatch(/^until \[ -f "\$DEMO\/sandbox.json" \]/);
    const demo = join(dir, "recipe");
    const run = await new Promise<{ code: number; stderr: string }>((done) =>
      execFile(
        "bash",
        ["-c", `set -e\n${waits.join("\n")}\necho waited`],
        {
          cwd: ROOT,
          env: { ...process.env, NO_COLOR: "1", ...NO_CREDENTIALS, DEMO: demo, MOTO_PORT: String(port) },
          timeout: 60_000,
        },
        (error, _stdout, stderr) =>
          done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stderr: String(stderr) }),
      ),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--seed-aws-endpoint: the demo's secrets could not be copied, so the sandbox stopped");
    expect(run.stderr).toContain("the sandbox stopped: its reason is on stderr above");
  }, 90_000);
});
