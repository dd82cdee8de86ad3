/** EventBridge schedule -> scan the fleet and renew what is due. Everything happens in src/fleet. */
import { createSchedulerHandler, defaultDepsFromEnv } from "../src/fleet/index.js";

// Deps are built on the first invocation, so importing this module reads no environment and makes no client.
export const handler = createSchedulerHandler(() => defaultDepsFromEnv(process.env));
