/**
 * `npm run bench -- fleet`: the daily scheduler run as Lambda runs it, at 1,000 and 10,000 certificates.
 *
 * The lambda bundle is built fresh into a temp directory (same esbuild options as dist/, AWS SDK external and
 * resolved from node_modules as the Lambda runtime provides it) and its handler is invoked once in plain node, in a
 * child process of its own so peak RSS is the run's alone. Secrets Manager and SQS are moto_server behind a counting
 * proxy; the vendors are the sandboxes in another child process, counting requests per route. Beside it, in the
 * same run, the floor: bench/fleet-floor.mjs doing only the reads any scan needs, with no certrelay code.
 *
 * Diagnostics (none changes what the rows mean, but a row measured with them is not comparable):
 * `FLEET_NODE_FLAGS="--trace-gc"` adds node flags to the scheduler's process; `FLEET_WRAPPER="heaptrack -o file"`
 * runs the scheduler under a wrapper (a native-allocation profile); `FLEET_SKIP_FLOOR=1` leaves the floor out (its
 * rows then read 0); `FLEET_MEMORY_TRACE=1` (bench/fleet-runner.mjs) logs RSS, heap and external every 100 ms;
 * `FLEET_HEAP_SNAPSHOT_MB=n` / `FLEET_HEAP_SNAPSHOT_AFTER_S=s` write one heap snapshot to bench/.out when the used
 * heap passes n MiB / after s seconds (the snapshot itself raises that run's peak).
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { build } from "esbuild";
import pLimit from "p-limit";
import { bundles } from "../scripts/bundles.js";
import { awsClientConfig, startMoto, type MotoServer } from "../test/support/moto.js";
import {
  fleetConfigYaml,
  fleetPlan,
  OUT_DIR,
  RENEW_BEFORE_DAYS,
  type FleetChildInfo,
  type FleetPlan,
} from "./fleet-plan.js";
import type { Row } from "./lib.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHILD = fileURLToPath(new URL("./fleet-sandbox-child.ts", import.meta.url));
const RUNNER = fileURLToPath(new URL("./fleet-runner.mjs", import.meta.url));
const FLOOR = fileURLToPath(new URL("./fleet-floor.mjs", import.meta.url));
/** certrelay.yml `concurrency` for the run, and the floor's Secrets Manager concurrency */
const CONCURRENCY = 16;
/** serverless.yml: the scheduler runs once a day */
const RUNS_PER_MONTH = 30;
const GB_SECOND_USD = 0.0000166667;
/** serverless.yml memorySize: what the bill is computed at */
const MEMORY_MB = Number(/memorySize:\s*(\d+)/.exec(readFileSync(join(ROOT, "serverless.yml"), "utf8"))?.[1] ?? "512");
/** the smallest Lambda: does the run fit in it? (CERTRELAY_BENCH_MEMORY_MB tries another size) */
const HEAP_MB = Number(process.env.CERTRELAY_BENCH_MEMORY_MB ?? "128");
/** serverless.yml's MALLOC_ARENA_MAX: glibc reads it at process start, so Lambda applies it to node (and so does this bench) */
const MALLOC_ARENA_MAX = /MALLOC_ARENA_MAX:\s*'?(\d+)/.exec(readFileSync(join(ROOT, "serverless.yml"), "utf8"))?.[1];
/**
 * The heap limits the Lambda Node.js runtime's bootstrap gives node for a function's memory (new space a tenth,
 * half of it per semi-space, old space the rest), so GC works as hard here as it would there.
 */
const LAMBDA_NODE_FLAGS = [
  `--max-semi-space-size=${Math.floor(HEAP_MB / 20)}`,
  `--max-old-space-size=${HEAP_MB - Math.floor(HEAP_MB / 10)}`,
];

interface RunFigures {
  wallMs: number;
  maxRssKiB: number;
  initMs?: number;
  handlerMs?: number;
  counts?: Record<string, number>;
  memory?: { rss: number; heapTotal: number; heapUsed: number };
  due?: number;
  drift?: number;
}

interface Measured {
  figures: RunFigures;
  aws: Record<string, number>;
  vendors: Record<string, number>;
}

/** Counts AWS requests by operation (JSON protocol: X-Amz-Target; query protocol: Action). */
class CountingProxy {
  readonly counts = new Map<string, number>();
  private server: Server | undefined;

  async start(target: string): Promise<string> {
    const upstream = new URL(target);
    this.server = createServer((req, res) => {
      const op = String(
        req.headers["x-amz-target"] ??
          new URL(req.url ?? "/", "http://x").searchParams.get("Action") ??
          `${req.method} other`,
      );
      this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      req.pipe(forward);
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  take(): Record<string, number> {
    const out = Object.fromEntries(this.counts);
    this.counts.clear();
    return out;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

interface SandboxChild {
  info: FleetChildInfo;
  ask<T>(message: string, key: string): Promise<T>;
  stop(): Promise<void>;
}

function startChild(planFile: string): Promise<SandboxChild> {
  const child: ChildProcess = fork(CHILD, [planFile], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error("fleet sandbox child did not start within 120 s"));
    }, 120_000);
    child.once("exit", (code) => reject(new Error(`fleet sandbox child exited early (${code})`)));
    child.once("message", (message) => {
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve({
        info: message as FleetChildInfo,
        ask: <T>(msg: string, key: string) =>
          new Promise<T>((done) => {
            const on = (m: unknown) => {
              if (typeof m === "object" && m !== null && key in m) {
                child.off("message", on);
                done((m as Record<string, T>)[key] as T);
              }
            };
            child.on("message", on);
            child.send(msg);
          }),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const timer2 = setTimeout(() => child.kill("SIGKILL"), 10_000);
            child.once("exit", () => {
              clearTimeout(timer2);
              done();
            });
            child.send("stop");
          }),
      });
    });
  });
}

/** The lambda bundle, built like dist/ into a temp dir whose node_modules is this tree's (the runtime's SDK). */
async function buildLambda(dir: string): Promise<string> {
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  const outdir = join(dir, "lambda");
  await build({ ...bundles.lambda, absWorkingDir: ROOT, outdir, write: true });
  return join(outdir, "scheduler.mjs");
}

async function seedSecrets(moto: MotoServer, plan: FleetPlan, info: FleetChildInfo): Promise<void> {
  // moto answers 500 now and then under load: seeding retries harder than a run would
  const sm = new SecretsManagerClient({ ...awsClientConfig(moto.endpoint), maxAttempts: 10 });
  const limit = pLimit(4);
  const create = (name: string, value: object) =>
    limit(() => sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) })));
  await Promise.all([
    create("certrelay/fleet-creds/cdn", info.cdn.credentials),
    create("certrelay/fleet-creds/enos", info.enos.credentials),
    create("certrelay/fleet-creds/reseller", info.reseller.credentials),
    ...plan.certificates.map((c) =>
      create(c.secret, { certificate: c.certificate, privateKey: c.privateKey, chain: c.chain }),
    ),
  ]);
  sm.destroy();
}

function runNode(args: string[], env: NodeJS.ProcessEnv, logFile: string, timeoutMs: number): Promise<void> {
  const fd = openSync(logFile, "w");
  const wrapper = logFile.includes("scheduler") ? (process.env.FLEET_WRAPPER ?? "").split(" ").filter(Boolean) : [];
  const child =
    wrapper.length > 0
      ? spawn(wrapper[0] as string, [...wrapper.slice(1), process.execPath, ...args], {
          env,
          stdio: ["ignore", fd, fd],
          cwd: ROOT,
        })
      : spawn(process.execPath, args, { env, stdio: ["ignore", fd, fd], cwd: ROOT });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      closeSync(fd);
      if (code === 0) resolve();
      else reject(new Error(`${args.find((a) => !a.startsWith("--"))} exited ${code ?? signal}; see ${logFile}`));
    });
  });
}

function awsEnv(endpoint: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|CERTRELAY_|QUEUE_URL|NOTIFY_)/.test(k)) env[k] = v;
  return {
    ...env,
    ...(MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX } : {}),
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  };
}

/** The SQS client sends to the queue URL's host: point it at the proxy so SendMessageBatch is counted too. */
function viaProxy(queueUrl: string, proxyUrl: string): string {
  const url = new URL(queueUrl);
  const proxy = new URL(proxyUrl);
  url.host = proxy.host;
  url.protocol = proxy.protocol;
  return url.toString();
}

function vendorCounts(
  stats: Record<string, { requests: number; byRoute: Record<string, number> }>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [vendor, s] of Object.entries(stats)) if (s.requests > 0) out[vendor] = s.requests;
  return out;
}

const sum = (counts: Record<string, number>, keep: (k: string) => boolean = () => true) =>
  Object.entries(counts).reduce((n, [k, v]) => n + (keep(k) ? v : 0), 0);
const perCert = (n: number, size: number) => (n / size).toFixed(3);
const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
const gbSecondsMonth = (ms: number) => (MEMORY_MB / 1024) * (ms / 1000) * RUNS_PER_MONTH;
const describe = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k.replace(/^secretsmanager\.|^AmazonSQS\./, "")} ${v}`)
    .join(", ");

export async function measureFleet(sizes: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), "certrelay-fleet-"));
  const moto = await startMoto();
  const proxy = new CountingProxy();
  try {
    const handler = await buildLambda(dir);
    const proxyUrl = await proxy.start(moto.endpoint);
    for (const size of sizes) {
      process.stderr.write(`bench: fleet ${size}: plan...\n`);
      const plan = await fleetPlan(size);
      const planFile = fileURLToPath(new URL(`./.out/fleet-plan-${size}.json`, import.meta.url));
      const child = await startChild(planFile);
      try {
        await moto.reset();
        process.stderr.write(`bench: fleet ${size}: seeding moto...\n`);
        await seedSecrets(moto, plan, child.info);
        const sqs = new SQSClient(awsClientConfig(moto.endpoint));
        const queue = await sqs.send(new CreateQueueCommand({ QueueName: `fleet-${size}` }));
        sqs.destroy();
        const configFile = join(dir, `certrelay-${size}.yml`);
        writeFileSync(configFile, fleetConfigYaml(plan, child.info, CONCURRENCY));
        const floorFile = join(dir, `floor-${size}.json`);
        writeFileSync(
          floorFile,
          JSON.stringify({
            concurrency: CONCURRENCY,
            renewBeforeDays: RENEW_BEFORE_DAYS,
            cdn: { url: child.info.cdn.url, credentials: child.info.cdn.credentials },
            enos: { url: child.info.enos.url, credentials: child.info.enos.credentials, orgId: child.info.enos.orgId },
            certificates: plan.certificates.map((c) => ({
              secret: c.secret,
              cdn: c.cdn,
              ...(c.enosDevice ? { enosDevice: c.enosDevice } : {}),
            })),
          }),
        );
        const env = awsEnv(proxyUrl);
        const measure = async (label: string, args: string[], extraEnv: NodeJS.ProcessEnv): Promise<Measured> => {
          await child.ask("reset", "reset");
          proxy.take();
          process.stderr.write(`bench: fleet ${size}: ${label}...\n`);
          const out = join(dir, `${label}-${size}.json`);
          await runNode(
            [...args, out],
            { ...env, ...extraEnv },
            fileURLToPath(new URL(`fleet-${label}-${size}.log`, OUT_DIR)),
            600_000,
          );
          const figures = JSON.parse(readFileSync(out, "utf8")) as RunFigures;
          return { figures, aws: proxy.take(), vendors: vendorCounts(await child.ask("stats", "stats")) };
        };
        const extraFlags = (process.env.FLEET_NODE_FLAGS ?? "").split(" ").filter(Boolean);
        const floor = process.env.FLEET_SKIP_FLOOR
          ? { figures: { wallMs: 1, maxRssKiB: 1 }, aws: {}, vendors: {} }
          : await measure("floor", [...LAMBDA_NODE_FLAGS, FLOOR, floorFile], {});
        const run = await measure("scheduler", [...LAMBDA_NODE_FLAGS, ...extraFlags, RUNNER, handler], {
          CERTRELAY_CONFIG: configFile,
          QUEUE_URL: viaProxy(queue.QueueUrl ?? "", proxyUrl),
        });
        rows.push(...fleetRows(size, plan, run, floor));
      } finally {
        await child.stop();
      }
    }
  } finally {
    await proxy.stop();
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function fleetRows(size: number, plan: FleetPlan, run: Measured, floor: Measured): Row[] {
  const group = `fleet ${size.toLocaleString("en-US")}`;
  const due = plan.certificates.filter((c) => c.due).length;
  const targets = plan.certificates.reduce((n, c) => n + (c.cdn ? 1 : 0) + (c.enosDevice ? 1 : 0), 0);
  const ratio = run.figures.wallMs / floor.figures.wallMs;
  const sm = (counts: Record<string, number>) => sum(counts, (k) => k.startsWith("secretsmanager."));
  const counts = run.figures.counts ?? {};
  return [
    {
      group,
      measure: `scheduler run, built bundle in plain node (${targets.toLocaleString("en-US")} targets, ${due} due; queued ${counts.queued ?? 0}, failed ${counts.failed ?? 0}, checked ${counts.none ?? 0})`,
      value: `${fmtS(run.figures.wallMs)} (init ${fmtS(run.figures.initMs ?? 0)})`,
      reference: `floor ${fmtS(floor.figures.wallMs)} (due ${floor.figures.due}, drift ${floor.figures.drift})`,
      target: size >= 10_000 ? "<= 2x floor" : "-",
      met: `${size >= 10_000 ? (ratio <= 2 ? "yes " : "no ") : ""}(${ratio.toFixed(2)}x)`,
    },
    {
      group,
      measure: `Secrets Manager requests per certificate (${describe(run.aws)})`,
      value: perCert(sm(run.aws), size),
      reference: `floor ${perCert(sm(floor.aws), size)} (${describe(floor.aws)})`,
      target: "flat 1,000 -> 10,000",
      met: "",
    },
    {
      group,
      measure: `vendor requests per certificate (${describe(run.vendors)})`,
      value: perCert(sum(run.vendors), size),
      reference: `floor ${perCert(sum(floor.vendors), size)} (${describe(floor.vendors)})`,
      target: "flat 1,000 -> 10,000",
      met: "",
    },
    {
      group,
      measure: `peak RSS of the process (maxRSS; node heap flags of a ${HEAP_MB} MB Lambda)${run.figures.memory ? `; at the end: heap ${mib(run.figures.memory.heapUsed / 1024)} used of ${mib(run.figures.memory.heapTotal / 1024)}, outside the heap ${mib((run.figures.memory.rss - run.figures.memory.heapTotal) / 1024)}` : ""}`,
      value: mib(run.figures.maxRssKiB),
      reference: `floor ${mib(floor.figures.maxRssKiB)}`,
      target: `< ${HEAP_MB} MiB`,
      met: run.figures.maxRssKiB < HEAP_MB * 1024 ? "yes" : "no",
    },
    {
      group,
      measure: `Lambda bill at memorySize ${MEMORY_MB} MB (serverless.yml), one run a day`,
      value: `${((MEMORY_MB / 1024) * (run.figures.wallMs / 1000)).toFixed(1)} GB-s/day, ${gbSecondsMonth(run.figures.wallMs).toFixed(0)} GB-s/month ($${(gbSecondsMonth(run.figures.wallMs) * GB_SECOND_USD).toFixed(4)})`,
      reference: `floor ${gbSecondsMonth(floor.figures.wallMs).toFixed(0)} GB-s/month at the same memory`,
      target: "-",
      met: "",
    },
  ];
}
