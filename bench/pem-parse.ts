/** parseBundle throughput on real TestCA bundles (leaf + key + two-certificate chain), RSA and ECC leaves. */
import { TestCA } from "../src/sandbox/ca.js";
import { parseBundle } from "../src/x509/index.js";
import type { CertificateMaterial } from "../src/model.js";
import { fmtRate, rate, type Row } from "./lib.js";

export async function measurePemParse(durationMs: number): Promise<Row[]> {
  const ca = await TestCA.create({ name: "Certrelay Bench Parse" });
  const rows: Row[] = [];
  for (const keyType of ["rsa", "ecc"] as const) {
    const bundles: CertificateMaterial[] = await Promise.all(
      Array.from({ length: 16 }, (_, i) => ca.issue({ commonName: `parse-${i}.bench.example`, keyType, days: 90 })),
    );
    const now = new Date();
    // warm-up: JIT and OpenSSL caches
    for (const b of bundles) parseBundle(b, { now });
    let parsed = 0;
    const started = performance.now();
    while (performance.now() - started < durationMs) {
      for (const b of bundles) parseBundle(b, { now });
      parsed += bundles.length;
    }
    const perSecond = rate(parsed, performance.now() - started);
    rows.push({
      group: "PEM parse",
      measure: `parseBundle, ${keyType.toUpperCase()} leaf + key + 2-cert chain`,
      value: fmtRate(perSecond, "chains"),
      reference: "-",
      target: "-",
      met: "",
    });
  }
  return rows;
}
