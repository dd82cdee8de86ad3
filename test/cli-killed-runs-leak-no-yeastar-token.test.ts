import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../src/model.js";
import { TestCA } from "../src/sandbox/ca.js";
import { startYeastarSandbox, type YeastarSandbox } from "../src/sandbox/yeastar/server.js";
import { FileStore } from "../src/store/index.js";
import { certrelay, requireBuiltCli, ROOT } from "./support/cli.js";

const LIST = "GET /openapi/v1.0/certificate/list";
const HANG_MS = 120_000;

let dir: string;
let sandbox: YeastarSandbox;
let store: FileStore;
let args: string[];

/** Starts `certrelay deploy` and resolves once it holds a token and is stuck on the PBX's hanging list call. */
async function startStuckRun(): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  requireBuiltCli();
  const before = sandbox.count(LIST);
  const child = spawn(process.execPath, [join(ROOT, "bin/certrelay.js"), "deploy", ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: "ignore",
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal === "SIGKILL" ? 137 : null))),
  );
  for (let i = 0; i < 600 && sandbox.count(LIST) === before; i++) await new Promise((r) => setTimeout(r, 50));
  expect(sandbox.count(LIST), "the run never reached the PBX").toBeGreaterThan(before);
  return { child, exited };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-kill-"));
  const ca = await TestCA.create({ name: "Kill Test" });
  sandbox = await startYeastarSandbox({ ca, clock: () => new Date() });
  store = new FileStore({ dir: join(dir, "store") });
  await store.putCredentials("certrelay/pbx", sandbox.credentials);
  await store.putCurrent(
    "certrelay/pbx-web",
    await ca.issue({
      commonName: "pbx.example.com",
      sans: ["pbx.example.com"],
      notBefore: new Date(Date.now() - DAY_MS),
      days: 90,
    }),
  );
  await writeFile(join(dir, "ca.pem"), ca.rootPem);
  await writeFile(
    join(dir, "certrelay.yml"),
    [
      "certificates:",
      "  - name: pbx",
      "    secret: certrelay/pbx-web",
      "    targets:",
      `      - { provider: yeastar, endpoint: "${sandbox.url}", credentials: certrelay/pbx, certificateType: server }`,
      "",
    ].join("\n"),
  );
  args = ["--config", join(dir, "certrelay.yml"), "--store-dir", join(dir, "store"), "--ca-file", join(dir, "ca.pem")];
});

afterAll(async () => {
  await sandbox?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a killed run leaves no Yeastar token the next run cannot reuse or revoke", () => {
  it("ten SIGKILLed runs share one token; the next clean run revokes it", async () => {
    sandbox.faults.add({
      fault: { kind: "latency", ms: HANG_MS },
      method: "GET",
      path: "/openapi/v1.0/certificate/list",
      times: Infinity,
    });
    for (let round = 0; round < 10; round++) {
      const run = await startStuckRun();
      run.child.kill("SIGKILL");
      await run.exited;
    }
    // Without reuse, each kill would leak a token and the ninth run would be locked out for 30 minutes.
    expect(sandbox.tokens.issued).toBe(1);
    expect(sandbox.tokens.validAccessTokens()).toBe(1);
    // the token sits in the credentials secret, not in a log or a stray file
    const credentialsFile = await readFile(store.pathFor("certrelay/pbx"), "utf8");
    expect(credentialsFile).toContain("sessions");

    sandbox.faults.clear();
    const clean = await certrelay(["deploy", ...args], { cwd: dir });
    expect(clean.code, clean.stderr).toBe(0);
    expect(sandbox.tokens.validAccessTokens()).toBe(0);
    expect(sandbox.tokens.issued).toBe(1);
    expect(await store.sessions.getSessions("certrelay/pbx", sandbox.url)).toEqual([]);
    expect((await readdir(join(dir, "store"))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  }, 120_000);

  it("--timeout bounds a run against a hanging PBX: TIMEOUT naming the budget, and the token is revoked", async () => {
    sandbox.faults.add({
      fault: { kind: "latency", ms: HANG_MS },
      method: "GET",
      path: "/openapi/v1.0/certificate/list",
      times: Infinity,
    });
    const run = await certrelay(["deploy", ...args, "--timeout", "4000", "--http-timeout", "60000", "--json"], {
      cwd: dir,
    });
    sandbox.faults.clear();
    expect(run.code).toBe(1);
    const report = (JSON.parse(run.stdout) as { reports: { error?: { code: string; message: string } }[] }).reports[0];
    expect(report?.error?.code).toBe("TIMEOUT");
    expect(report?.error?.message).toMatch(/the --timeout budget of 3\.6 s ran out after \d+\.\d s/);
    expect(report?.error?.message).toMatch(/raise --timeout above 4000/);
    expect(sandbox.tokens.validAccessTokens()).toBe(0);
  }, 60_000);

  it("bad --timeout and --http-timeout values exit 2 naming the flag", async () => {
    for (const flag of ["--timeout", "--http-timeout"]) {
      const run = await certrelay(["deploy", ...args, flag, "soon"], { cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${flag} expects milliseconds`);
    }
  });

  it("a SIGTERMed run revokes its token before it exits", async () => {
    sandbox.faults.add({
      fault: { kind: "latency", ms: HANG_MS },
      method: "GET",
      path: "/openapi/v1.0/certificate/list",
      times: Infinity,
    });
    const run = await startStuckRun();
    expect(sandbox.tokens.validAccessTokens()).toBe(1);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(143);
    sandbox.faults.clear();
    expect(sandbox.tokens.validAccessTokens()).toBe(0);
    expect(await store.sessions.getSessions("certrelay/pbx", sandbox.url)).toEqual([]);
  }, 60_000);
});
