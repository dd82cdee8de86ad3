/**
 * Shared set-up for the enos-*.test.ts files: a TestCA, an EnOS sandbox on a manual clock, a provider context
 * that never sleeps, and a raw signed call for replaying the spec's requests byte for byte.
 */
import { createHash } from "node:crypto";
import type { ProviderContext } from "../../src/providers/context.js";
import { TestCA } from "../../src/sandbox/ca.js";
import { startEnosSandbox, type EnosSandbox, type EnosSandboxOptions } from "../../src/sandbox/enos/server.js";
import { ManualClock } from "../../src/sandbox/server.js";
import { testProviderContext } from "./context.js";

export const ENOS_NOW = new Date("2026-11-24T12:00:00Z");

export interface EnosFixture {
  ca: TestCA;
  clock: ManualClock;
  sandbox: EnosSandbox;
  ctx: ProviderContext;
}

export async function startEnosFixture(
  options: Partial<Omit<EnosSandboxOptions, "ca" | "clock">> & { rootDays?: number } = {},
): Promise<EnosFixture> {
  const clock = new ManualClock(ENOS_NOW);
  const { rootDays, ...sandboxOptions } = options;
  const ca = await TestCA.create({ name: "EnOS Test", now: ENOS_NOW, ...(rootDays ? { rootDays } : {}) });
  const sandbox = await startEnosSandbox({ ...sandboxOptions, ca, clock: clock.now });
  const ctx = testProviderContext(clock.now);
  return { ca, clock, sandbox, ctx };
}

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

let lastTimestamp = 0;
/** Strictly increasing ms (the token service refuses a repeated encryption), near the sandbox clock. */
function timestampFor(sandbox: EnosSandbox): number {
  const now = sandbox.clock().getTime();
  lastTimestamp = now <= lastTimestamp && lastTimestamp - now < 60_000 ? lastTimestamp + 1 : now;
  return lastTimestamp;
}

export async function rawToken(
  sandbox: EnosSandbox,
  options: { secret?: string; timestamp?: number } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const timestamp = options.timestamp ?? timestampFor(sandbox);
  const { appKey, appSecret } = sandbox.credentials;
  const body = { appKey, encryption: sha256(`${appKey}${timestamp}${options.secret ?? appSecret}`), timestamp };
  const res = await fetch(new URL("/apim-token-service/v2.0/token/get", sandbox.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export async function accessToken(sandbox: EnosSandbox): Promise<string> {
  // the provider in the same test may have used this millisecond already (1001): take the next one
  for (let attempt = 0; attempt < 5; attempt++) {
    const { json } = await rawToken(sandbox);
    if (json.status === 0) return (json.data as { accessToken: string }).accessToken;
  }
  throw new Error("the sandbox token service refused five token requests");
}

export interface RawCallOptions {
  /** sign with this secret instead of the application's */
  secret?: string;
  token?: string;
  timestamp?: number;
  /** headers removed after signing */
  drop?: string[];
  /** change the body after signing */
  tamperBody?: (text: string) => string;
}

/**
 * One signed request over plain fetch, the way the spec's sample is written: `url` is the spec's path + query,
 * signed as EnOS documents it (token + sorted query name/value pairs + body + timestamp + secret).
 */
export async function rawCall(
  sandbox: EnosSandbox,
  method: "GET" | "POST",
  pathAndQuery: string,
  body?: unknown,
  options: RawCallOptions = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(pathAndQuery, sandbox.url);
  const token = options.token ?? (await accessToken(sandbox));
  const timestamp = options.timestamp ?? timestampFor(sandbox);
  const text = body === undefined ? "" : JSON.stringify(body);
  const names = [...new Set(url.searchParams.keys())].sort();
  const params = names.map((n) => `${n}${url.searchParams.get(n) ?? ""}`).join("");
  const signature = sha256(`${token}${params}${text}${timestamp}${options.secret ?? sandbox.credentials.appSecret}`);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "apim-accesstoken": token,
    "apim-timestamp": String(timestamp),
    "apim-signature": signature,
  };
  for (const name of options.drop ?? []) delete headers[name];
  const sent = options.tamperBody ? options.tamperBody(text) : text;
  const res = await fetch(url, { method, headers, ...(method === "POST" ? { body: sent } : {}) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export const DEVICE_QUERY = "orgId=yourOrgId&assetId=yourDeviceAssetId";
export const CERTS = "/connect-service/v2.0/certificates";
