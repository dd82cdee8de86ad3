/**
 * One certrelay process using a Yeastar PBX whose credentials (and recorded sessions) sit in a store shared with
 * other processes: what a schedule, a manual run and a Lambda retry each do when they meet. Run with `node --import
 * tsx`; the job comes as JSON in CERTRELAY_CHILD. It prints `ready` and waits for a line on stdin, lists the PBX's
 * certificates (which logs in, or reuses a recorded token), prints `listed`, and then either closes (revoking its
 * token) and exits, or, as a run that is about to be killed, waits for the parent's SIGKILL.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createInterface } from "node:readline";
import { realSleep, silentLogger, systemClock } from "../../src/model.js";
import { YeastarClient } from "../../src/providers/yeastar/client.js";
import { sessionCache } from "../../src/store/sessions.js";
import { FileStore, SecretsManagerStore, type Store } from "../../src/store/index.js";
import type { AwsTestClientConfig } from "./moto.js";

export interface YeastarSessionChildJob {
  store: { kind: "file"; dir: string } | { kind: "secrets-manager"; aws: AwsTestClientConfig };
  credentials: string;
  endpoint: string;
  ca: string;
  finish: boolean;
}

const job = JSON.parse(process.env.CERTRELAY_CHILD ?? "{}") as YeastarSessionChildJob;
const store: Store =
  job.store.kind === "file"
    ? new FileStore({ dir: job.store.dir })
    : new SecretsManagerStore(new SecretsManagerClient(job.store.aws));
const credentials = await store.getCredentials(job.credentials);
const client = new YeastarClient({
  endpoint: job.endpoint,
  username: credentials.username ?? "",
  password: credentials.password ?? "",
  ctx: {
    clock: systemClock,
    sleep: realSleep,
    logger: silentLogger,
    ca: job.ca,
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 },
    timeoutMs: 10_000,
    poll: { intervalMs: 25, maxWaitMs: 5_000 },
  },
  sessions: sessionCache(store, job.credentials, job.endpoint),
});
process.stdout.write("ready\n");
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()));
try {
  await client.list({ page: 1, page_size: 10 });
  process.stdout.write("listed\n");
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: (error as { code?: string }).code ?? "ERROR" })}\n`);
  process.exitCode = 1;
}
if (job.finish || process.exitCode === 1) await client.close();
// a run about to be killed: alive (and holding its token) until the parent's SIGKILL
else await new Promise((resolve) => setTimeout(resolve, 120_000));
