/**
 * One certrelay process asking an ACME CA for a certificate with an issuer whose credentials secret holds no account
 * yet: what a schedule, a manual run and a Lambda retry each do when they start at once. Run with `node --import
 * tsx`; the job comes as JSON in CERTRELAY_CHILD. It prints `ready` and waits for a line on stdin before it asks, so
 * the parent can start several at the same moment. Prints one JSON line: the outcome's state, or the error's code.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createInterface } from "node:readline";
import { realSleep, silentLogger, systemClock } from "../../src/model.js";
import { createAcmeIssuer } from "../../src/providers/acme/index.js";
import { FileStore, SecretsManagerStore, type Store } from "../../src/store/index.js";
import { generateKeyAndCsr } from "../../src/x509/csr.js";
import type { AwsTestClientConfig } from "./moto.js";

export interface AcmeAccountChildJob {
  store: { kind: "file"; dir: string } | { kind: "secrets-manager"; aws: AwsTestClientConfig };
  credentials: string;
  directory: string;
  ca: string;
  /** Route53 (through the DNS bridge) for the DNS-01 records */
  aws: AwsTestClientConfig;
  commonName: string;
}

const job = JSON.parse(process.env.CERTRELAY_CHILD ?? "{}") as AcmeAccountChildJob;
const store: Store =
  job.store.kind === "file"
    ? new FileStore({ dir: job.store.dir })
    : new SecretsManagerStore(new SecretsManagerClient(job.store.aws));
const issuer = createAcmeIssuer(
  {
    directory: job.directory,
    credentials: job.credentials,
    email: "ops@example.com",
    acceptTos: true,
    keyType: "ec256",
    dns: { provider: "route53", pollingInterval: 1, propagationTimeout: 10 },
  },
  await store.getCredentials(job.credentials),
  {
    clock: systemClock,
    sleep: realSleep,
    logger: silentLogger,
    ca: job.ca,
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 },
    timeoutMs: 10_000,
    poll: { intervalMs: 25, maxWaitMs: 5_000 },
    aws: job.aws,
    store,
  },
);
const { csr } = await generateKeyAndCsr({ keyType: "ecc", commonName: job.commonName, sans: [job.commonName] });
// "ready", then the start line: every process is loaded before any asks
process.stdout.write("ready\n");
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()));
try {
  const outcome = await issuer.issue({ csr, commonName: job.commonName, sans: [job.commonName], reference: "race" });
  process.stdout.write(`${JSON.stringify({ state: outcome.state })}\n`);
} catch (error) {
  const code = (error as { code?: string }).code ?? "ERROR";
  process.stdout.write(`${JSON.stringify({ error: code, message: (error as Error).message })}\n`);
  process.exitCode = 1;
} finally {
  await issuer.close();
}
