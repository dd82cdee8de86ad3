import { realSleep, silentLogger, systemClock } from "../src/model.js";
import type { ProviderContext } from "../src/providers/context.js";

/** A real-time provider context: the bench measures what a user's run would do, retries included. */
export function benchContext(ca?: string): ProviderContext {
  return {
    clock: systemClock,
    sleep: realSleep,
    logger: silentLogger,
    ...(ca ? { ca } : {}),
    timeoutMs: 15_000,
    poll: { intervalMs: 50, maxWaitMs: 2_000 },
  };
}
