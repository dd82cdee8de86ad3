/**
 * One streamed CDN list scan in a process of its own, so its peak RSS is the scanner's alone:
 * `tsx bench/scan-child.ts <endpoint> <limit>` with the access key in CERTRELAY_BENCH_CDN_KEY_ID / _SECRET.
 * Prints `{"scanned":n,"due":n,"maxRssKiB":n}`.
 */
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { expireInDays } from "../src/x509/index.js";
import { benchContext } from "./bench-context.js";

const [endpoint = "", limitText = "0"] = process.argv.slice(2);
const limit = Number(limitText);
const target = createCdnTarget(
  { endpoint },
  {
    accessKeyId: process.env.CERTRELAY_BENCH_CDN_KEY_ID ?? "",
    accessKeySecret: process.env.CERTRELAY_BENCH_CDN_SECRET ?? "",
  },
  benchContext(),
);
const now = new Date();
let scanned = 0;
let due = 0;
for await (const c of target.list()) {
  scanned += 1;
  if (expireInDays(c.notAfter, now) < 30) due += 1;
  if (scanned >= limit) break;
}
await target.close();
// resourceUsage().maxRSS is in KiB
process.stdout.write(`${JSON.stringify({ scanned, due, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
