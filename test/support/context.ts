import { silentLogger, type Clock } from "../../src/model.js";
import type { ProviderContext } from "../../src/providers/context.js";

/** A provider context for tests: the sandbox's clock, no real waits, tiny retry delays and bounded polls. */
export function testProviderContext(
  clock: Clock,
  options: { ca?: string; retries?: number; poll?: ProviderContext["poll"] } = {},
): ProviderContext {
  return {
    clock,
    sleep: async () => {},
    logger: silentLogger,
    ...(options.ca ? { ca: options.ca } : {}),
    retry: { retries: options.retries ?? 3, minDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 },
    timeoutMs: 5_000,
    poll: options.poll ?? { intervalMs: 1, maxWaitMs: 50 },
  };
}
