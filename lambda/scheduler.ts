/** EventBridge schedule -> scan the fleet and renew what is due. Everything happens in src/fleet. */
import { createSchedulerHandler, defaultDepsFromEnv, keepWasmOnBaselineCompiler } from "../src/fleet/index.js";

// the peak memory of a small Lambda (src/fleet/small-memory.ts)
keepWasmOnBaselineCompiler();

// Deps are built on the first invocation, so importing this module reads no environment and makes no client.
export const handler = createSchedulerHandler(() => defaultDepsFromEnv(process.env));
