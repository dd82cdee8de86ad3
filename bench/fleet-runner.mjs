/**
 * Runs the BUILT scheduler handler once, as the Lambda runtime would: plain node, the AWS SDK from node_modules,
 * configuration from the environment. `node bench/fleet-runner.mjs <scheduler.mjs> <result.json>`.
 * Log lines (one per certificate, and EMF) go to stdout as in Lambda; the figures go to result.json.
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";

const started = performance.now();
// when the peak happens and what it is made of (V8 heap vs outside it), sampled every 10 ms
let peak = { rss: 0 };
let ticks = 0;
// FLEET_HEAP_SNAPSHOT_MB=n: one heap snapshot (bench/.out/) the first time the used heap passes n MiB (diagnostic)
// FLEET_HEAP_SNAPSHOT_AFTER_S=s: or after s seconds
const snapshotAt = Number(process.env.FLEET_HEAP_SNAPSHOT_MB ?? "Infinity") * 2 ** 20;
const snapshotAfterMs = Number(process.env.FLEET_HEAP_SNAPSHOT_AFTER_S ?? "Infinity") * 1000;
let snapshotArmed = Number.isFinite(snapshotAt) || Number.isFinite(snapshotAfterMs);
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (snapshotArmed && (m.heapUsed > snapshotAt || performance.now() - started > snapshotAfterMs)) {
    snapshotArmed = false;
    process.stderr.write(
      `heap snapshot: ${writeHeapSnapshot(fileURLToPath(new URL(`./.out/fleet-${process.pid}.heapsnapshot`, import.meta.url)))}\n`,
    );
  }
  if (m.rss > peak.rss) {
    // V8's spaces at the peak (MiB committed): new space vs old vs code vs large objects
    const spaces = Object.fromEntries(
      getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.physical_space_size / 2 ** 20)]),
    );
    peak = { ...m, time: new Date().toISOString(), spaces };
  }
  if (process.env.FLEET_MEMORY_TRACE && (ticks++ % 10 === 0 || m.rss > 115 * 2 ** 20))
    process.stderr.write(
      `mem ${new Date().toISOString()} rss ${m.rss >> 20} heap ${m.heapUsed >> 20}/${m.heapTotal >> 20} ext ${m.external >> 20}\n`,
    );
}, 10);
sampler.unref();
const [handlerFile, outFile] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(handlerFile).href);
const imported = performance.now();
// the Lambda's configured timeout (serverless.yml: 900 s)
const deadline = Date.now() + 900_000;
const result = await handler(
  {},
  { awsRequestId: "fleet-bench", getRemainingTimeInMillis: () => deadline - Date.now() },
);
const done = performance.now();
process.stderr.write(`peak memory: ${JSON.stringify(peak)}\n`);
writeFileSync(
  outFile,
  JSON.stringify({
    initMs: imported - started,
    handlerMs: done - imported,
    wallMs: done - started,
    maxRssKiB: process.resourceUsage().maxRSS,
    // where the memory is at the end of the run: V8 heap (used of total) vs outside it
    memory: process.memoryUsage(),
    peak,
    mode: result.mode,
    counts: result.counts,
  }),
);
