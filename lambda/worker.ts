/** SQS -> renew one certificate per message; failures come back as partial batch failures. */
import { createWorkerHandler, defaultDepsFromEnv, keepWasmOnBaselineCompiler } from "../src/fleet/index.js";

// the peak memory of a small Lambda (src/fleet/small-memory.ts)
keepWasmOnBaselineCompiler();

export const handler = createWorkerHandler(() => defaultDepsFromEnv(process.env));
