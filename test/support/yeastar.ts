/**
 * Shared set-up for the yeastar-*.test.ts files: a TestCA, a Yeastar PBX sandbox on a manual clock, a provider
 * context that never sleeps, and raw calls for replaying the spec's requests as written.
 */
import { request as httpRequest } from "node:http";
import { ManualClock } from "../../src/sandbox/server.js";
import { TestCA } from "../../src/sandbox/ca.js";
import {
  startYeastarSandbox,
  type YeastarSandbox,
  type YeastarSandboxOptions,
} from "../../src/sandbox/yeastar/server.js";
import type { ProviderContext } from "../../src/providers/context.js";
import type { CertificateMaterial } from "../../src/model.js";
import { testProviderContext } from "./context.js";

export const YEASTAR_NOW = new Date("2026-11-24T12:00:00Z");
export const API = "/openapi/v1.0";

export interface YeastarFixture {
  ca: TestCA;
  clock: ManualClock;
  sandbox: YeastarSandbox;
  ctx: ProviderContext;
}

export async function startYeastarFixture(
  options: Partial<Omit<YeastarSandboxOptions, "ca" | "clock">> = {},
): Promise<YeastarFixture> {
  const clock = new ManualClock(YEASTAR_NOW);
  const ca = await TestCA.create({ name: "PBX Test", now: YEASTAR_NOW });
  const sandbox = await startYeastarSandbox({ ...options, ca, clock: clock.now });
  const ctx = testProviderContext(clock.now, { poll: { intervalMs: 10, maxWaitMs: 50 } });
  return { ca, clock, sandbox, ctx };
}

export interface RawAnswer {
  status: number;
  json: Record<string, unknown>;
}

async function answer(res: Response): Promise<RawAnswer> {
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
}

/** A JSON call with the docs' User-Agent (`OpenAPI`). */
export async function rawCall(
  sandbox: YeastarSandbox,
  method: "GET" | "POST",
  pathAndQuery: string,
  json?: unknown,
): Promise<RawAnswer> {
  const res = await fetch(new URL(pathAndQuery, sandbox.url), {
    method,
    headers: { "user-agent": "OpenAPI", ...(json === undefined ? {} : { "content-type": "application/json" }) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return answer(res);
}

/** A raw multipart body, so the spec's upload example goes over the wire as written. */
export async function rawMultipart(
  sandbox: YeastarSandbox,
  pathAndQuery: string,
  boundary: string,
  body: string,
): Promise<RawAnswer> {
  const res = await fetch(new URL(pathAndQuery, sandbox.url), {
    method: "POST",
    headers: { "user-agent": "OpenAPI", "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
  });
  return answer(res);
}

/** fetch always adds a User-Agent; node:http sends only what it is given. */
export function callWithoutUserAgent(
  sandbox: YeastarSandbox,
  method: string,
  pathAndQuery: string,
  json?: unknown,
): Promise<RawAnswer> {
  const url = new URL(pathAndQuery, sandbox.url);
  const body = json === undefined ? undefined : JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers:
          body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export async function rawToken(sandbox: YeastarSandbox): Promise<string> {
  const res = await rawCall(sandbox, "POST", `${API}/get_token`, sandbox.credentials);
  if (res.json.errcode !== 0) throw new Error(`get_token refused: ${JSON.stringify(res.json)}`);
  return String(res.json.access_token);
}

/** Upload a file the way the PBX docs show (fields `type` and `file`). */
export async function rawUpload(
  sandbox: YeastarSandbox,
  token: string,
  type: string,
  fileName: string,
  text: string,
): Promise<RawAnswer> {
  const form = new FormData();
  form.set("type", type);
  form.set("file", new Blob([text]), fileName);
  const res = await fetch(new URL(`${API}/certificate/upload?access_token=${token}`, sandbox.url), {
    method: "POST",
    headers: { "user-agent": "OpenAPI" },
    body: form,
  });
  return answer(res);
}

/** The one-file server import: certificate, key, chain. */
export function serverFile(m: CertificateMaterial): string {
  return `${m.certificate.trim()}\n${m.privateKey.trim()}\n${m.chain.trim()}\n`;
}
