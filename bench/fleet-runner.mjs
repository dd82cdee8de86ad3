/**
 * Runs the BUILT scheduler handler once, as the Lambda runtime would: plain node, the AWS SDK from node_modules,
 * configuration from the environment. `node bench/fleet-runner.mjs <scheduler.mjs> <result.json>`.
 * Log lines (one per certificate, and EMF) go to stdout as in Lambda; the figures go to result.json.
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const started = performance.now();
const [handlerFile, outFile] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(handlerFile).href);
const imported = performance.now();
// the Lambda's configured timeout (serverless.yml: 900 s)
const deadline = Date.now() + 900_000;
const result = await handler({}, { awsRequestId: "fleet-bench", getRemainingTimeInMillis: () => deadline - Date.now() });
const done = performance.now();
writeFileSync(
  outFile,
  JSON.stringify({
    initMs: imported - started,
    handlerMs: done - imported,
    wallMs: done - started,
    maxRssKiB: process.resourceUsage().maxRSS,
    // where the memory is at the end of the run: V8 heap (used of total) vs outside it
    memory: process.memoryUsage(),
    mode: result.mode,
    counts: result.counts,
  }),
);
