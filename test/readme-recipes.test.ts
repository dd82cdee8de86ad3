import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireBuiltCli, ROOT } from "./support/cli.js";

/** `<!-- recipe: name -->` followed by a ```sh block: copied verbatim from the README, never edited here. */
function recipes(): Map<string, string> {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const found = new Map<string, string>();
  for (const m of readme.matchAll(/<!-- recipe: ([a-z-]+) -->\n```sh\n([\s\S]*?)```/g))
    found.set(m[1] as string, m[2] as string);
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const workDir = join(ROOT, "tmp", `recipes-${process.pid}`);

/**
 * Run a recipe from the checkout as a user pastes it: bash, stop at the first failing command, and whatever it left
 * running in the background (sandboxes, moto_server) is ended when it finishes, however it finishes.
 */
function runRecipe(
  text: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `set -e\ntrap 'kill $(jobs -p) 2> /dev/null || true' EXIT\n${text}`;
  return new Promise((done) => {
    execFile(
      "bash",
      ["-c", script],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
        timeout: 240_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        done({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        });
      },
    );
  });
}

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

// The README's way from zero to each entry point, run verbatim.
describe("README recipes", () => {
  const all = recipes();

  it("the README has a recipe for the prerequisites and each entry point", () => {
    expect([...all.keys()].sort()).toEqual(["action", "cli", "lambda", "prerequisites"]);
    // the CLI is run the way it works from a checkout, never as a bare `certrelay` nobody has on PATH
    for (const [name, text] of all) expect(text, name).not.toMatch(/(^|[;&|(]\s*)certrelay /m);
    expect(all.get("cli")).toMatch(/^npx certrelay check /m);
  });

  it("prerequisites: Node, openssl and moto_server are there", async () => {
    const run = await runRecipe(all.get("prerequisites") ?? "false", {});
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/OpenSSL/i);
  }, 60_000);

  it("cli: the sandbox demo is checked, renewed and checked again", async () => {
    requireBuiltCli();
    const demo = join(workDir, "cli");
    mkdirSync(demo, { recursive: true });
    const run = await runRecipe(all.get("cli") ?? "false", { DEMO: demo });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("exit 1: some certificates are due");
    expect(run.stdout).toMatch(/4 certificates: 3 renewed, 1 unchanged/);
    expect(run.stdout).toContain("outside their renewal window");
  }, 240_000);

  it("lambda: the built scheduler renews the demo fleet in moto_server under lambda-local", async () => {
    const demo = join(workDir, "lambda");
    mkdirSync(demo, { recursive: true });
    const run = await runRecipe(all.get("lambda") ?? "false", {
      DEMO: demo.slice(ROOT.length + 1),
      MOTO_PORT: String(await freePort()),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Lambda successfully executed");
    expect(run.stdout).toMatch(/"renewed": 3/);
  }, 240_000);

  it("action: a check under @github/local-action sets its outputs", async () => {
    const demo = join(workDir, "action");
    mkdirSync(demo, { recursive: true });
    const run = await runRecipe(all.get("action") ?? "false", { DEMO: demo.slice(ROOT.length + 1) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/::set-output name=status::ok/);
    expect(run.stdout).toMatch(/::set-output name=serial-number::[0-9A-F]+/);
  }, 240_000);
});
