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
import { FileStore } from "../src/store/index.js";
import { parseOutputs } from "./support/action.js";
import { ROOT } from "./support/cli.js";

const LIST = "GET /openapi/v1.0/certificate/list";
const UPLOAD = "POST /openapi/v1.0/certificate/upload";
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

const VENDOR_INPUTS = (): Record<string, string> => ({
  INPUT_PROVIDER: "yeastar",
  INPUT_ENDPOINT: pbx.url,
  INPUT_USERNAME: pbx.credentials.username,
  INPUT_PASSWORD: pbx.credentials.password,
  INPUT_CERTIFICATE: material.certificate,
  "INPUT_PRIVATE-KEY": material.privateKey,
  INPUT_CHAIN: material.chain,
  "INPUT_CA-CERTIFICATE": ca.rootPem,
});

/**
 * The Action from its sources (what the bundle is built from), as a runner starts it; resolves once it is stuck on
 * the PBX call `stuckOn` (which the test made hang).
 */
async function startStuckAction(
  inputs: Record<string, string> = VENDOR_INPUTS(),
  stuckOn = LIST,
): Promise<{
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
      ...inputs,
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
  const before = pbx.count(stuckOn);
  for (let i = 0; i < 1200 && pbx.count(stuckOn) === before && child.exitCode === null; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(pbx.count(stuckOn), `the Action never reached ${stuckOn}: ${stdout}`).toBeGreaterThan(before);
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

  it(
    "SIGTERM during a config run's upload: the certificate's lease is free for the next run and the token revoked",
    {
      timeout: 120_000,
    },
    async () => {
      const storeDir = join(dir, "store");
      const store = new FileStore({ dir: storeDir });
      await store.putCurrent("certrelay/pbx-web", material);
      await store.putCredentials("certrelay/pbx", pbx.credentials);
      const configPath = join(dir, "certrelay.yml");
      await writeFile(
        configPath,
        [
          "certificates:",
          "  - name: pbx",
          "    secret: certrelay/pbx-web",
          "    targets:",
          `      - { provider: yeastar, endpoint: "${pbx.url}", credentials: certrelay/pbx, certificateType: server }`,
          "",
        ].join("\n"),
      );
      pbx.faults.add({
        fault: { kind: "latency", ms: HANG_MS },
        method: "POST",
        path: "/openapi/v1.0/certificate/upload",
        times: Infinity,
      });
      try {
        const tokensBefore = pbx.tokens.validAccessTokens();
        // the upload is the first write: the run holds the certificate's lease while it hangs
        const run = await startStuckAction(
          { INPUT_CONFIG: configPath, "INPUT_STORE-DIR": storeDir, "INPUT_CA-CERTIFICATE": ca.rootPem },
          UPLOAD,
        );
        run.signal("SIGTERM");
        const exit = await run.exited;
        expect(exit.code, exit.stdout).not.toBe(0);
        // what the next run notices: the certificate is not "in progress elsewhere", and no token of this run is live
        const next = await store.acquireLease("certrelay/pbx-web", {
          owner: "next run",
          now: new Date(),
          ttlMs: 1_000,
        });
        expect(next.acquired, exit.stdout).toBe(true);
        if (next.acquired) await next.lease.release();
        expect(pbx.tokens.validAccessTokens(), exit.stdout).toBe(tokensBefore);
        expect(await store.sessions.getSessions("certrelay/pbx", pbx.url)).toEqual([]);
      } finally {
        pbx.faults.clear();
      }
    },
  );
});
