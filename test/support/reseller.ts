import { silentLogger, type IssueOutcome, type IssueRequest, type Issuer } from "../../src/model.js";
import { awaitIssuance } from "../../src/pipeline/index.js";
import type { ProviderContext } from "../../src/providers/context.js";
import { TestCA } from "../../src/sandbox/ca.js";
import {
  startResellerSandbox,
  type ResellerSandbox,
  type ResellerSandboxOptions,
} from "../../src/sandbox/reseller/server.js";
import { generateKeyAndCsr } from "../../src/x509/index.js";

export const PLAN = "3f7830c3-3fa4-404d-908f-35daaa1cd17b";

export async function resellerWorld(
  options: Partial<ResellerSandboxOptions> = {},
): Promise<{ ca: TestCA; sandbox: ResellerSandbox }> {
  const ca = await TestCA.create({ name: "Reseller Test" });
  const sandbox = await startResellerSandbox({ ca, ...options });
  return { ca, sandbox };
}

export function resellerCtx(overrides: Partial<ProviderContext> = {}): ProviderContext {
  return {
    clock: () => new Date(),
    sleep: async () => {},
    logger: silentLogger,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 },
    poll: { intervalMs: 10, maxWaitMs: 5_000 },
    ...overrides,
  };
}

export async function rsaCsr(commonName: string): Promise<{ csr: string; privateKey: string }> {
  return generateKeyAndCsr({ keyType: "rsa", commonName, sans: [commonName] });
}

export function basic(sandbox: ResellerSandbox): Record<string, string> {
  return {
    authorization: `Basic ${Buffer.from(`${sandbox.credentials.username}:${sandbox.credentials.apiKey}`).toString("base64")}`,
    "content-type": "application/json",
  };
}

/** Issue and wait as a run does: the issuer answers once, the pipeline's one poll loop asks again within ctx.poll. */
export function issueAndWait(
  issuer: Issuer,
  request: IssueRequest,
  ctx: ProviderContext = resellerCtx(),
): Promise<IssueOutcome> {
  return awaitIssuance(issuer, request, undefined, ctx);
}
