/**
 * Shared set-up for the cdn-*.test.ts files: a TestCA, a SwiftFederation sandbox on a manual clock, a provider
 * context that never sleeps, and a raw signed call for replaying the spec's requests byte for byte.
 */
import { createPrivateKey } from "node:crypto";
import { ManualClock } from "../../src/sandbox/server.js";
import { TestCA } from "../../src/sandbox/ca.js";
import { startCdnSandbox, type CdnSandbox, type CdnSandboxOptions } from "../../src/sandbox/cdn/server.js";
import { signRequest } from "../../src/providers/cdn/signature.js";
import type { ProviderContext } from "../../src/providers/context.js";
import { testProviderContext } from "./context.js";

export const CDN_NOW = new Date("2026-11-24T12:00:00Z");

export interface CdnFixture {
  ca: TestCA;
  clock: ManualClock;
  sandbox: CdnSandbox;
  ctx: ProviderContext;
}

export async function startCdnFixture(
  options: Partial<Omit<CdnSandboxOptions, "ca" | "clock">> = {},
): Promise<CdnFixture> {
  const clock = new ManualClock(CDN_NOW);
  const ca = await TestCA.create({ name: "SFD Test", now: CDN_NOW });
  const sandbox = await startCdnSandbox({ ...options, ca, clock: clock.now });
  const ctx = testProviderContext(clock.now, { ca: ca.rootPem, poll: { intervalMs: 10, maxWaitMs: 40 } });
  return { ca, clock, sandbox, ctx };
}

export function toPkcs1(pem: string): string {
  return createPrivateKey(pem).export({ type: "pkcs1", format: "pem" }).toString();
}

export interface RawCallOptions {
  /** sign with this secret instead of the sandbox's */
  secret?: string;
  /** sign with this time instead of the sandbox clock */
  at?: Date;
  nonce?: string;
  /** headers to remove after signing */
  drop?: string[];
}

/** One signed request over plain fetch, the way the spec's examples are written. */
export async function rawCall(
  sandbox: CdnSandbox,
  method: string,
  path: string,
  body?: unknown,
  options: RawCallOptions = {},
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const url = new URL(path, sandbox.url);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const signed = signRequest(
    { method, url, headers: {}, body: text },
    {
      accessKeyId: sandbox.credentials.accessKeyId,
      accessKeySecret: options.secret ?? sandbox.credentials.accessKeySecret,
    },
    options.at ?? sandbox.clock(),
    options.nonce,
  );
  const headers: Record<string, string> = { ...signed, "content-type": "application/json" };
  for (const name of options.drop ?? []) {
    for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
  }
  const res = await fetch(url, { method, headers, body: text });
  const raw = await res.text();
  let json: unknown;
  try {
    json = raw ? (JSON.parse(raw) as unknown) : undefined;
  } catch {
    json = raw;
  }
  return { status: res.status, json, headers: res.headers };
}
