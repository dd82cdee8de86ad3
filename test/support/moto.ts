import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/**
 * A moto_server on loopback for tests that talk to AWS (Secrets Manager, SQS, SNS). Start it once per file and
 * stop it in afterAll; `reset()` wipes all state between tests.
 */
export interface MotoServer {
  endpoint: string;
  port: number;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface AwsTestClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** SDK client options pointing at moto. */
export function awsClientConfig(endpoint: string): AwsTestClientConfig {
  return { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
}

const READY_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 100;

/** Asks the OS for a free port; moto has no port-0 mode, so there is a tiny race we accept in tests. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function isReady(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    // Keep only the tail: moto logs every request and a long test file would otherwise grow this without bound.
    stderr = (stderr + chunk).slice(-4_000);
  });
  let spawnError: Error | undefined;
  child.once("error", (e) => {
    spawnError = e;
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError !== undefined) {
      const missing = (spawnError as NodeJS.ErrnoException).code === "ENOENT";
      throw new Error(
        missing
          ? "moto_server is not on PATH; install it with `pip install 'moto[server]'`"
          : `moto_server could not start: ${spawnError.message}`,
      );
    }
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited with code ${child.exitCode} before it was ready: ${stderr.trim()}`);
    }
    if (await isReady(endpoint)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await exited(child);
      throw new Error(
        `moto_server did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s: ${stderr.trim()}`,
      );
    }
    await delay(POLL_INTERVAL_MS);
  }

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`moto reset failed with status ${response.status}`);
    },
    stop() {
      stopped ??= (async () => {
        child.kill("SIGTERM");
        const killTimer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited(child);
        clearTimeout(killTimer);
      })();
      return stopped;
    },
  };
}
