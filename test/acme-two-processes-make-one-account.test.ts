/**
 * Two runs that start at once (a schedule and a manual run, a Lambda retry beside the first try) with an ACME issuer
 * whose credentials secret holds no account yet. Each is its own process sharing one store, as in production: the
 * in-process account guard cannot see the other. They must end with one account at the CA, used by both, and the
 * key in the store must be that account's.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAcmeResponder, type AcmeResponder } from "../src/sandbox/acme/responder.js";
import { TestCA } from "../src/sandbox/ca.js";
import { FileStore, SecretsManagerStore, type Store } from "../src/store/index.js";
import { startAcmeWorld, type AcmeWorld } from "./support/acme.js";
import type { AcmeAccountChildJob } from "./support/acme-account-child.js";
import { ROOT } from "./support/cli.js";
import { awsClientConfig } from "./support/moto.js";

const CHILD = join(ROOT, "test/support/acme-account-child.ts");
const ROUNDS = 3;
const READY_WAIT_MS = 60_000;

let world: AcmeWorld;
let responder: AcmeResponder;
let ca: TestCA;
let dir: string;

interface ChildResult {
  code: number | null;
  line: { state?: string; error?: string; message?: string } | undefined;
  stderr: string;
}

/** Starts one process per job, releases them together once every one is loaded, and resolves when all exited. */
async function raceProcesses(jobs: AcmeAccountChildJob[]): Promise<ChildResult[]> {
  const children = jobs.map((job) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
      cwd: ROOT,
      env: { ...process.env, CERTRELAY_CHILD: JSON.stringify(job) },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stdout.startsWith("ready\n")) markReady();
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<ChildResult>((resolve) =>
      child.once("exit", (code) => {
        markReady();
        const last = stdout.trim().split("\n").at(-1);
        let line: ChildResult["line"];
        try {
          line = last && last !== "ready" ? (JSON.parse(last) as ChildResult["line"]) : undefined;
        } catch {
          line = undefined;
        }
        resolve({ code, line, stderr });
      }),
    );
    return { child, ready, exited };
  });
  const timeout = setTimeout(() => children.forEach(({ child }) => child.kill("SIGKILL")), READY_WAIT_MS);
  await Promise.all(children.map((c) => c.ready));
  clearTimeout(timeout);
  for (const { child } of children) child.stdin.end("go\n");
  return Promise.all(children.map((c) => c.exited));
}

beforeAll(async () => {
  ca = await TestCA.create({ name: "ACME Account Race" });
  world = await startAcmeWorld({ ca });
  responder = await startAcmeResponder({ pebbleAddress: world.pebble.acmeAddress, ca });
  dir = await mkdtemp(join(tmpdir(), "certrelay-acme-race-"));
}, 120_000);

afterAll(async () => {
  await responder?.stop();
  await world?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("two processes that find no ACME account make one, and both use it", () => {
  const cases: { kind: "file" | "secrets-manager" }[] = [{ kind: "file" }, { kind: "secrets-manager" }];
  for (const { kind } of cases) {
    it(
      `${kind} store: ${ROUNDS} rounds of two runs at once, one account each round`,
      { timeout: 240_000 },
      async () => {
        const storeJob: AcmeAccountChildJob["store"] =
          kind === "file" ? { kind, dir: join(dir, "store") } : { kind, aws: awsClientConfig(world.moto.endpoint) };
        const store: Store =
          kind === "file"
            ? new FileStore({ dir: join(dir, "store") })
            : new SecretsManagerStore(new SecretsManagerClient(awsClientConfig(world.moto.endpoint)));
        for (let round = 1; round <= ROUNDS; round++) {
          const credentials = `certrelay/acme-${kind}-${round}`;
          await store.putCredentials?.(credentials, {});
          const before = responder.accountsCreated;
          const job = (n: number): AcmeAccountChildJob => ({
            store: storeJob,
            credentials,
            directory: responder.directoryUrl,
            ca: ca.rootPem,
            aws: world.aws,
            commonName: `race${round}-${n}.example.com`,
          });
          const results = await raceProcesses([job(1), job(2)]);
          for (const r of results) expect(r.code, `${JSON.stringify(r.line)} ${r.stderr}`).toBe(0);
          // what the user would see at the CA: one account per credentials secret, not one per run
          expect(responder.accountsCreated - before, `round ${round}`).toBe(1);
          const stored = await store.getCredentials(credentials);
          expect(stored.accountKey).toMatch(/BEGIN/);
          expect(stored.accountUrl).toMatch(/^https:\/\//);
          // no lease or lock is left behind on the credentials secret for the next run to wait out
          const lease = await store.acquireLease(credentials, { owner: "next run", now: new Date(), ttlMs: 1_000 });
          expect(lease.acquired).toBe(true);
          if (lease.acquired) await lease.lease.release();
        }
      },
    );
  }
});
