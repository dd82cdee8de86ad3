/**
 * Runs in different processes (a schedule, a manual run, a Lambda retry, a duplicated message) that share one PBX
 * and one store. Each records the token it holds in the store so a killed run's token is reused and revoked later
 * instead of leaking against the PBX's budget of 8 (VENDOR-NOTES); those records are read-modify-writes of one
 * secret, which the store serialised only inside one process. Here every run is its own process, and some are
 * SIGKILLed: every token still live at the PBX must be recorded, and the runs must share tokens, not take one each.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leakedVendorSessions } from "../src/chaos/counters.js";
import { TestCA } from "../src/sandbox/ca.js";
import { startYeastarSandbox, type YeastarSandbox } from "../src/sandbox/yeastar/server.js";
import { FileStore, SecretsManagerStore, type Store } from "../src/store/index.js";
import { ROOT } from "./support/cli.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";
import type { YeastarSessionChildJob } from "./support/yeastar-session-child.js";

const CHILD = join(ROOT, "test/support/yeastar-session-child.ts");
const ROUNDS = 2;
const PER_ROUND = 6;
const WAIT_MS = 60_000;

let ca: TestCA;
let moto: MotoServer;
let dir: string;

interface Child {
  process: ChildProcess;
  /** resolves with the first line that matches, or rejects when the process exits first */
  line(match: (line: string) => boolean): Promise<string>;
  exited: Promise<number | null>;
}

function start(job: YeastarSessionChildJob): Child {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    cwd: ROOT,
    env: { ...process.env, CERTRELAY_CHILD: JSON.stringify(job) },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let stderr = "";
  let buffered = "";
  child.stdout!.on("data", (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.filter((w) => w.match(l))) w.resolve(l);
    }
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    process: child,
    exited,
    line: (match) =>
      new Promise<string>((resolve, reject) => {
        const seen = lines.find(match);
        if (seen !== undefined) return resolve(seen);
        waiters.push({ match, resolve });
        void exited.then(() => reject(new Error(`exited before the line: ${lines.join(" | ")} ${stderr}`)));
        setTimeout(
          () => reject(new Error(`no line within ${WAIT_MS} ms: ${lines.join(" | ")} ${stderr}`)),
          WAIT_MS,
        ).unref();
      }),
  };
}

beforeAll(async () => {
  ca = await TestCA.create({ name: "Yeastar Processes" });
  moto = await startMoto();
  dir = await mkdtemp(join(tmpdir(), "certrelay-yeastar-procs-"));
}, 120_000);

afterAll(async () => {
  await moto?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("runs in separate processes sharing a PBX and a store", () => {
  for (const kind of ["file", "secrets-manager"] as const) {
    it(
      `${kind} store: ${ROUNDS} rounds of ${PER_ROUND} runs at once, half of them killed; no token leaks, tokens are shared`,
      {
        timeout: 300_000,
      },
      async () => {
        const pbx: YeastarSandbox = await startYeastarSandbox({ ca, clock: () => new Date() });
        try {
          const store: Store =
            kind === "file"
              ? new FileStore({ dir: join(dir, "store") })
              : new SecretsManagerStore(new SecretsManagerClient(awsClientConfig(moto.endpoint)));
          const credentials = `certrelay/pbx-${kind}`;
          await store.putCredentials?.(credentials, pbx.credentials);
          const storeJob: YeastarSessionChildJob["store"] =
            kind === "file" ? { kind, dir: join(dir, "store") } : { kind, aws: awsClientConfig(moto.endpoint) };
          for (let round = 1; round <= ROUNDS; round++) {
            const children = Array.from({ length: PER_ROUND }, (_, n) =>
              start({ store: storeJob, credentials, endpoint: pbx.url, ca: ca.rootPem, finish: n % 2 === 0 }),
            );
            await Promise.all(children.map((c) => c.line((l) => l === "ready")));
            for (const c of children) c.process.stdin!.end("go\n");
            // every run gets in: a refused get_token (the budget of 8 spent) would end a run with VENDOR_QUOTA
            await Promise.all(children.map((c) => c.line((l) => l === "listed")));
            const finished = children.filter((_, n) => n % 2 === 0);
            for (const c of finished) expect(await c.exited).toBe(0);
            for (const c of children.filter((_, n) => n % 2 === 1)) {
              c.process.kill("SIGKILL");
              await c.exited;
            }
            expect(pbx.tokens.validAccessTokens(), `round ${round}`).toBeLessThanOrEqual(8);
            // what the next run relies on: every token still live at the PBX is recorded, so it is reused or revoked
            const sessions = store.sessions;
            expect(await leakedVendorSessions(pbx.tokens, sessions, credentials, pbx.url), `round ${round}`).toBe(0);
          }
          // runs that meet share a token instead of taking one each
          expect(pbx.tokens.issued).toBeLessThan(ROUNDS * PER_ROUND);
        } finally {
          await pbx.stop();
        }
      },
    );
  }
});
