/**
 * A cancelled GitHub job: the runner sends SIGINT, then SIGTERM, then kills the step. The Action must stop its
 * waits and release what the run holds (here the PBX's access token, of which Yeastar allows 8 live per
 * application for 30 minutes) before it exits, through the same close() a normal run ends with.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import { startYeastarSandbox, type YeastarSandbox } from "../src/sandbox/yeastar/server.js";
import type { CertificateMaterial } from "../src/model.js";
import { parseOutputs } from "./support/action.js";
import { ROOT } from "./support/cli.js";

const LIST = "GET /openapi/v1.0/certificate/list";
const HANG_MS = 120_000;

let dir: string;
let ca: TestCA;
let pbx: YeastarSandbox;
let material: CertificateMaterial;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-action-cancel-"));
  ca = await TestCA.create({ name: "Action Cancel" });
  pbx = await startYeastarSandbox({ ca, clock: () => new Date() });
  material = await ca.issue({ commonName: "pbx.example.com", days: 90 });
  await writeFile(join(dir, "ca.pem"), ca.rootPem);
}, 60_000);

afterAll(async () => {
  await pbx?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The Action from its sources (what the bundle is built from), as a runner starts it; resolves once it is stuck. */
async function startStuckAction(): Promise<{
  signal: (s: NodeJS.Signals) => void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>;
  outputPath: string;
}> {
  const outputPath = join(dir, `output-${Date.now()}`);
  await writeFile(outputPath, "");
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), join(ROOT, "action/index.ts")], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      GITHUB_OUTPUT: outputPath,
      GITHUB_ACTIONS: "true",
      INPUT_PROVIDER: "yeastar",
      INPUT_ENDPOINT: pbx.url,
      INPUT_USERNAME: pbx.credentials.username,
      INPUT_PASSWORD: pbx.credentials.password,
      INPUT_CERTIFICATE: material.certificate,
      "INPUT_PRIVATE-KEY": material.privateKey,
      INPUT_CHAIN: material.chain,
      "INPUT_CA-CERTIFICATE": ca.rootPem,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  // (the runner's ::add-mask:: lines carry the key: left out of what a failing assertion prints)
  const keep = (d: Buffer): void => {
    stdout += d
      .toString()
      .split("\n")
      .filter((line) => !line.startsWith("::add-mask::"))
      .join("\n");
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, stdout })),
  );
  const before = pbx.count(LIST);
  for (let i = 0; i < 1200 && pbx.count(LIST) === before && child.exitCode === null; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(pbx.count(LIST), `the Action never reached the PBX: ${stdout}`).toBeGreaterThan(before);
  return { signal: (s) => child.kill(s), exited, outputPath };
}

describe("a cancelled Action job logs out of the vendor before it exits", () => {
  for (const signals of [["SIGTERM"], ["SIGINT", "SIGTERM"]] as NodeJS.Signals[][]) {
    it(
      `${signals.join(" then ")} mid-deploy: the PBX token is revoked and the step fails naming the cancellation`,
      {
        timeout: 120_000,
      },
      async () => {
        pbx.faults.add({
          fault: { kind: "latency", ms: HANG_MS },
          method: "GET",
          path: "/openapi/v1.0/certificate/list",
          times: Infinity,
        });
        try {
          const run = await startStuckAction();
          expect(pbx.tokens.validAccessTokens()).toBe(1);
          for (const s of signals) run.signal(s);
          const exit = await run.exited;
          // what the next run (and the PBX's 8-token budget) notices: no token of this run is left live
          expect(pbx.tokens.validAccessTokens(), exit.stdout).toBe(0);
          expect(exit.code, exit.stdout).not.toBe(0);
          const outputs = parseOutputs(await readFile(run.outputPath, "utf8"));
          expect(outputs.status).toBe("failed");
          expect(outputs.message).toMatch(/stopped \(SIG(TERM|INT)\)/);
          expect(exit.stdout).not.toContain(pbx.credentials.password);
        } finally {
          pbx.faults.clear();
        }
      },
    );
  }
});
