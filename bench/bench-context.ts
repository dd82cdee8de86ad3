import { realSleep, silentLogger, systemClock } from "../src/model.js";
import type { ProviderContext } from "../src/providers/context.js";

/** A real-time provider context: the bench measures what a user's run would do, retries included. */
export function benchContext(ca?: string, connections = 16): ProviderContext {
  return {
    // as many sockets as the bench's per-certificate concurrency, as a user would configure for a fleet scan
    connections,
    clock: systemClock,
    sleep: realSleep,
    logger: silentLogger,
    ...(ca ? { ca } : {}),
    timeoutMs: 15_000,
    poll: { intervalMs: 50, maxWaitMs: 2_000 },
  };
}
