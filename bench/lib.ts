/**
 * Shared bench plumbing: result rows, medians, and the sandbox child process. Vendor sandboxes run in their own
 * process so the client under test and the server each get a core, as they would against a real vendor.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { CertificateMaterial } from "../src/model.js";

export interface Row {
  group: string;
  measure: string;
  value: string;
  reference: string;
  target: string;
  /** "yes" | "no" | "" (no target for this row) */
  met: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function rate(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}

export function fmtRate(perSecond: number, unit: string): string {
  return `${Math.round(perSecond).toLocaleString("en-US")} ${unit}/s`;
}

export function fmtMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

export function fmtBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function pct(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : "n/a";
}

export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

/** What the sandbox child reports once it listens. The material is test-CA output, never a real key. */
export interface SandboxChildInfo {
  cdn: {
    url: string;
    edgePort: number;
    credentials: { accessKeyId: string; accessKeySecret: string };
    firstId: number;
    seeded: number;
  };
  reseller?: { url: string; credentials: { username: string; apiKey: string }; seeded: number };
  rootPem: string;
  edgeHost: string;
  edgeMaterial: CertificateMaterial;
}

export interface SandboxChild {
  info: SandboxChildInfo;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL("./sandbox-child.ts", import.meta.url));

/** Start the vendor sandboxes in a child process with `count` seeded certificates each. */
export function startSandboxChild(count: number): Promise<SandboxChild> {
  const child: ChildProcess = fork(CHILD, [String(count)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error("sandbox child did not start within 60 s"));
    }, 60_000);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`sandbox child exited early (${code})`)));
    child.once("message", (message) => {
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve({
        info: message as SandboxChildInfo,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
            child.once("exit", () => {
              clearTimeout(kill);
              done();
            });
            child.send("stop");
          }),
      });
    });
  });
}
