/** SQS -> renew one certificate per message; failures come back as partial batch failures. */
import { createWorkerHandler, defaultDepsFromEnv, keepWasmOnBaselineCompiler, loadYaml } from "../src/fleet/index.js";

// the peak memory of a small Lambda (src/fleet/small-memory.ts)
keepWasmOnBaselineCompiler();

// Every cold invocation reads its certrelay.yml, so yaml (a lazy file in the Action, which rarely needs it) is loaded
// here, in Lambda's init phase: measurements report init running with more CPU than a small function's invocations
// (bench/RESULTS.md, "yaml ... lazy"), so it costs the first invocation less than loading it there would.
await loadYaml();

export const handler = createWorkerHandler(() => defaultDepsFromEnv(process.env));
