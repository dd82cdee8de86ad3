/**
 * Peak RSS of a scanner process streaming 10,000 vs 100,000 certificates from one sandbox (100,000 seeded, in
 * its own process). Flat memory means the list is consumed page by page, never collected.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { fmtBytes, startSandboxChild, type Row } from "./lib.js";

const SCANNER = fileURLToPath(new URL("./scan-child.ts", import.meta.url));

interface ScanOutcome {
  scanned: number;
  due: number;
  maxRssKiB: number;
}

export async function measureScanMemory(small: number, large: number): Promise<Row[]> {
  const child = await startSandboxChild(large);
  try {
    const { url, credentials } = child.info.cdn;
    const scan = (limit: number): ScanOutcome => {
      const out = execFileSync(process.execPath, ["--import", "tsx", SCANNER, url, String(limit)], {
        env: {
          ...process.env,
          CERTRELAY_BENCH_CDN_KEY_ID: credentials.accessKeyId,
          CERTRELAY_BENCH_CDN_SECRET: credentials.accessKeySecret,
        },
        encoding: "utf8",
        timeout: 120_000,
      });
      return JSON.parse(out.trim().split("\n").pop() ?? "{}") as ScanOutcome;
    };
    // the median of three runs of each, interleaved
    const smalls: ScanOutcome[] = [];
    const larges: ScanOutcome[] = [];
    for (let i = 0; i < 3; i += 1) {
      smalls.push(scan(small));
      larges.push(scan(large));
    }
    const mid = (runs: ScanOutcome[]) => [...runs].sort((a, b) => a.maxRssKiB - b.maxRssKiB)[1] as ScanOutcome;
    const s = mid(smalls);
    const l = mid(larges);
    if (s.scanned !== small || l.scanned !== large)
      throw new Error(`memory scan saw ${s.scanned}/${l.scanned} certificates`);
    const growth = (l.maxRssKiB - s.maxRssKiB) / s.maxRssKiB;
    return [
      {
        group: "memory",
        measure: `peak RSS, scanner streaming ${small.toLocaleString("en-US")} certs (median of 3)`,
        value: fmtBytes(s.maxRssKiB * 1024),
        reference: "-",
        target: "-",
        met: "",
      },
      {
        group: "memory",
        measure: `peak RSS, scanner streaming ${large.toLocaleString("en-US")} certs (median of 3)`,
        value: `${fmtBytes(l.maxRssKiB * 1024)} (${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(1)}%)`,
        reference: `${small.toLocaleString("en-US")}: ${fmtBytes(s.maxRssKiB * 1024)}`,
        target: "within 10%",
        met: Math.abs(growth) <= 0.1 ? "yes" : "no",
      },
    ];
  } finally {
    await child.stop();
  }
}
