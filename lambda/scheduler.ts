/** EventBridge schedule -> scan the fleet and renew what is due. Everything happens in src/fleet. */
import {
  createSchedulerHandler,
  defaultDepsFromEnv,
  keepWasmOnBaselineCompiler,
  loadYaml,
} from "../src/fleet/index.js";

// the peak memory of a small Lambda (src/fleet/small-memory.ts)
keepWasmOnBaselineCompiler();

// Every cold invocation reads its certrelay.yml, so yaml (a lazy file in the Action, which rarely needs it) is loaded
// here, in Lambda's init phase: measurements report init running with more CPU than a small function's invocations
// (bench/RESULTS.md, "yaml ... lazy"), so it costs the first invocation less than loading it there would.
await loadYaml();

// Deps are built on the first invocation, so importing this module reads no environment and makes no client.
export const handler = createSchedulerHandler(() => defaultDepsFromEnv(process.env));
