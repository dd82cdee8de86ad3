/** SQS -> renew one certificate per message; failures come back as partial batch failures. */
import { createWorkerHandler, defaultDepsFromEnv } from "../src/fleet/index.js";

export const handler = createWorkerHandler(() => defaultDepsFromEnv(process.env));
