/**
 * Let's Encrypt's Pebble (the ACME test CA) and pebble-challtestsrv (the DNS server Pebble's validator asks) on free
 * loopback ports, for tests and the demo. Debian's `pebble` package ships both binaries but not the listener
 * certificate its sample config names, so one is issued here by the caller's test CA; clients then trust that
 * CA for the ACME endpoint, and Pebble's own issuing root (new at every start) is read from its management port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestCA } from "../ca.js";

export interface PebbleOptions {
  /** issues Pebble's listener certificate for localhost / 127.0.0.1 */
  ca: TestCA;
  /** External Account Binding keys (kid -> base64url HMAC key); when given, Pebble requires EAB */
  eab?: Record<string, string>;
  /** lifetime of the certificates Pebble issues; default 90 days like Let's Encrypt's classic profile */
  validitySeconds?: number;
  /** bounded wait for both processes to answer */
  readyTimeoutMs?: number;
}

export interface Pebble {
  /** ACME directory, e.g. https://127.0.0.1:14000/dir */
  directoryUrl: string;
  /** Pebble's ACME listener as host:port */
  acmeAddress: string;
  managementUrl: string;
  /** challtestsrv management API (POST /set-txt, /clear-txt) */
  challtestsrvUrl: string;
  /** challtestsrv's DNS server (host:port), the one Pebble's validator asks */
  dnsAddress: string;
  /** the PEM a client must trust for Pebble's HTTPS listener */
  listenerCaPem: string;
  /** Pebble's current issuing root (PEM), fetched from the management port */
  issuingRootPem: string;
  /** TXT records challtestsrv serves: set replaces the host's values with these, empty clears */
  setTxt(host: string, values: string[]): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_READY_MS = 20_000;

/** True when `pebble` and `pebble-challtestsrv` can be started (Debian package `pebble`). */
export async function pebbleInstalled(): Promise<boolean> {
  const probe = (cmd: string) =>
    new Promise<boolean>((resolve) => {
      const child = spawn(cmd, ["-h"], { stdio: "ignore" });
      child.once("error", () => resolve(false));
      child.once("exit", () => resolve(true));
    });
  return (await probe("pebble")) && (await probe("pebble-challtestsrv"));
}

export const PEBBLE_INSTALL_HINT =
  "install Let's Encrypt's Pebble test CA: `apt-get install -y pebble` (Debian/Ubuntu package, ships pebble and pebble-challtestsrv)";

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

interface Answer {
  status: number;
  body: string;
}

/** One request over http(s) with an explicit trust anchor; bounded by `timeoutMs`. */
function call(
  url: string,
  options: { method?: string; body?: string; ca?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? "GET",
        ...(options.ca ? { ca: options.ca } : {}),
        headers: options.body
          ? { "content-type": "application/json", "content-length": Buffer.byteLength(options.body) }
          : {},
        timeout: options.timeoutMs ?? 2_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url}`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

function launch(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string; failure: () => Error | undefined } {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env });
  let output = "";
  let failure: Error | undefined;
  const keep = (chunk: Buffer) => {
    // only the tail: Pebble logs every request
    output = (output + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.once("error", (e: NodeJS.ErrnoException) => {
    failure = e.code === "ENOENT" ? new Error(`${cmd} is not on PATH; ${PEBBLE_INSTALL_HINT}`) : e;
  });
  return { child, output: () => output, failure: () => failure };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited(child);
  clearTimeout(timer);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(
  what: string,
  deadline: number,
  started: ReturnType<typeof launch>,
  ready: () => Promise<boolean>,
): Promise<void> {
  for (;;) {
    const failure = started.failure();
    if (failure) throw failure;
    if (started.child.exitCode !== null)
      throw new Error(`${what} exited with code ${started.child.exitCode}: ${started.output().trim()}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} did not answer within the start-up bound: ${started.output().trim()}`);
    await pause(50);
  }
}

export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), "certrelay-pebble-"));
  const [acmePort, managementPort, dnsPort, challMgmtPort, httpPort, tlsPort] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  const listener = await options.ca.issue({
    commonName: "localhost",
    sans: ["localhost", "127.0.0.1"],
    keyType: "ecc",
    days: 30,
  });
  writeFileSync(join(dir, "cert.pem"), listener.certificate + listener.chain, { mode: 0o600 });
  writeFileSync(join(dir, "key.pem"), listener.privateKey, { mode: 0o600 });
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${managementPort}`,
      certificate: join(dir, "cert.pem"),
      privateKey: join(dir, "key.pem"),
      // HTTP-01/TLS-ALPN-01 are never used here; the ports only must not collide with anything
      httpPort,
      tlsPort,
      ocspResponderURL: "",
      externalAccountBindingRequired: options.eab !== undefined,
      ...(options.eab ? { externalAccountMACKeys: options.eab } : {}),
      certificateValidityPeriod: options.validitySeconds ?? 90 * 86_400,
    },
  };
  writeFileSync(join(dir, "pebble-config.json"), JSON.stringify(config, null, 2));

  const started: ReturnType<typeof launch>[] = [];
  const cleanup = async () => {
    await Promise.all(started.map((s) => stopChild(s.child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? DEFAULT_READY_MS);
    const chall = launch(
      "pebble-challtestsrv",
      [
        "-dns01",
        `127.0.0.1:${dnsPort}`,
        "-http01",
        "",
        "-https01",
        "",
        "-tlsalpn01",
        "",
        "-management",
        `127.0.0.1:${challMgmtPort}`,
      ],
      process.env,
    );
    started.push(chall);
    const challtestsrvUrl = `http://127.0.0.1:${challMgmtPort}`;
    // any answer from the management API (even 404/405) means it is listening
    await waitUntil("pebble-challtestsrv", deadline, chall, async () => (await call(`${challtestsrvUrl}/`)).status > 0);

    const pebble = launch(
      "pebble",
      ["-config", join(dir, "pebble-config.json"), "-dnsserver", `127.0.0.1:${dnsPort}`],
      {
        ...process.env,
        // no random validation delay, no random bad-nonce rejections, and every order gets fresh authorizations, so
        // each test sees the validation it set up (Pebble reuses valid authorizations 50% of the time by default)
        PEBBLE_VA_NOSLEEP: "1",
        PEBBLE_WFE_NONCEREJECT: "0",
        PEBBLE_AUTHZREUSE: "0",
      },
    );
    started.push(pebble);
    const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
    const managementUrl = `https://127.0.0.1:${managementPort}`;
    await waitUntil(
      "pebble",
      deadline,
      pebble,
      async () => (await call(directoryUrl, { ca: options.ca.rootPem })).status === 200,
    );
    const root = await call(`${managementUrl}/roots/0`, { ca: options.ca.rootPem });
    if (root.status !== 200) throw new Error(`pebble management /roots/0 answered ${root.status}`);

    let stopped: Promise<void> | undefined;
    return {
      directoryUrl,
      acmeAddress: `127.0.0.1:${acmePort}`,
      managementUrl,
      challtestsrvUrl,
      dnsAddress: `127.0.0.1:${dnsPort}`,
      listenerCaPem: options.ca.rootPem,
      issuingRootPem: root.body.trim() + "\n",
      async setTxt(host: string, values: string[]) {
        const fqdn = host.endsWith(".") ? host : `${host}.`;
        const cleared = await call(`${challtestsrvUrl}/clear-txt`, {
          method: "POST",
          body: JSON.stringify({ host: fqdn }),
        });
        if (cleared.status !== 200) throw new Error(`challtestsrv /clear-txt answered ${cleared.status}`);
        for (const value of values) {
          const set = await call(`${challtestsrvUrl}/set-txt`, {
            method: "POST",
            body: JSON.stringify({ host: fqdn, value }),
          });
          if (set.status !== 200) throw new Error(`challtestsrv /set-txt answered ${set.status}`);
        }
      },
      stop() {
        stopped ??= cleanup();
        return stopped;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
