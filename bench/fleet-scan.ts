/**
 * Fleet scan: days left for every certificate a CDN account holds, three ways (streamed pages, one GET per
 * certificate with bounded concurrency, one GET at a time), each beside the sandbox's raw HTTP ceiling for the
 * same route and concurrency.
 */
import pLimit from "p-limit";
import { createCdnTarget, parseSfdTimestamp } from "../src/providers/cdn/index.js";
import { Agent } from "undici";
import { SfdClient } from "../src/providers/cdn/client.js";
import { PAGE_SIZE as RESELLER_CLIENT_PAGE_SIZE, ResellerClient } from "../src/providers/reseller/client.js";
import { listResellerCertificates } from "../src/providers/reseller/index.js";
import { signRequest } from "../src/providers/cdn/signature.js";
import { expireInDays } from "../src/x509/index.js";
import { benchContext } from "./bench-context.js";
import { basicAuth, measureCeiling, sfdAuth } from "./raw-ceiling.js";
import { fmtRate, pct, rate, startSandboxChild, timed, type Row } from "./lib.js";

const PAGE_SIZE = 100;
/** what listResellerCertificates asks for */
const RESELLER_PAGE_SIZE = RESELLER_CLIENT_PAGE_SIZE;
export const PER_CERT_CONCURRENCY = 16;
const NAIVE_CAP = 2_000;
const CEILING_SECONDS = 3;
const RENEW_BEFORE_DAYS = 30;
const LIST_REPEATS = 5;
const EACH_REPEATS = 3;

async function medianOf<T>(repeats: number, run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const runs: Array<{ ms: number; value: T }> = [];
  for (let i = 0; i < repeats; i += 1) runs.push(await timed(run));
  runs.sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(runs.length / 2)] as { ms: number; value: T };
}

export async function measureCdnScan(sizes: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of sizes) {
    const child = await startSandboxChild(size);
    try {
      const { url, credentials, firstId } = child.info.cdn;
      const ctx = benchContext();
      const idOf = (i: number) => firstId + (i % size);

      // streamed list: pages of PAGE_SIZE, one request in flight
      const target = createCdnTarget({ endpoint: url, pageSize: PAGE_SIZE }, credentials, ctx);
      const scanList = async () => {
        const now = new Date();
        let seen = 0;
        let due = 0;
        for await (const c of target.list()) {
          seen += 1;
          if (expireInDays(c.notAfter, now) < RENEW_BEFORE_DAYS) due += 1;
        }
        return { seen, due };
      };
      // warm-up (connections, JIT), then the median of several scans: one scan of 1,000 is only ten requests
      await scanList();
      await scanList();
      const list = await medianOf(LIST_REPEATS, scanList);
      await target.close();
      if (list.value.seen !== size) throw new Error(`list scan saw ${list.value.seen} of ${size} certificates`);
      const pages = Math.ceil(size / PAGE_SIZE);
      const listCeiling = await measureCeiling({
        baseUrl: url,
        authFor: sfdAuth(credentials),
        pathFor: (n) => `/sfd/v2.0/certs?page=${(n % pages) + 1}&pageSize=${PAGE_SIZE}`,
        connections: 1,
        durationSeconds: CEILING_SECONDS,
      });
      const listRate = rate(size, list.ms);
      // a page holds PAGE_SIZE certificates (the last may hold fewer): certificates/s at the ceiling
      const listCeilingRate = listCeiling.requestsPerSecond * (size / pages);
      rows.push({
        group: `fleet scan ${size.toLocaleString("en-US")}`,
        measure: `CDN list, streamed pages of ${PAGE_SIZE} (1 in flight), median of ${LIST_REPEATS}; ${list.value.due} due`,
        value: fmtRate(listRate, "certs"),
        reference: `raw ${fmtRate(listCeilingRate, "certs")} (autocannon, 1 conn)`,
        target: ">= 70% of raw",
        met:
          listRate >= 0.7 * listCeilingRate
            ? `yes (${pct(listRate, listCeilingRate)})`
            : `no (${pct(listRate, listCeilingRate)})`,
      });

      // one GET per certificate, bounded concurrency
      const client = new SfdClient({ endpoint: url, key: credentials, ctx });
      const limit = pLimit(PER_CERT_CONCURRENCY);
      const checkEach = async (count: number) => {
        const now = new Date();
        const days = await Promise.all(
          Array.from({ length: count }, (_, i) =>
            limit(async () =>
              expireInDays(parseSfdTimestamp((await client.getCertificate(idOf(i))).validTo, "validTo"), now),
            ),
          ),
        );
        return days.filter((d) => d < RENEW_BEFORE_DAYS).length;
      };
      await checkEach(size);
      const each = await medianOf(EACH_REPEATS, () => checkEach(size));
      const eachCeiling = await measureCeiling({
        baseUrl: url,
        authFor: sfdAuth(credentials),
        pathFor: (n) => `/sfd/v2.0/certs/${idOf(n)}`,
        connections: PER_CERT_CONCURRENCY,
        durationSeconds: CEILING_SECONDS,
      });
      const eachRate = rate(size, each.ms);

      // the naive loop, capped: at one request per round trip its rate does not depend on the fleet size
      const naiveCount = Math.min(size, NAIVE_CAP);
      const naive = await timed(async () => {
        const now = new Date();
        let due = 0;
        for (let i = 0; i < naiveCount; i += 1) {
          const record = await client.getCertificate(idOf(i));
          if (expireInDays(parseSfdTimestamp(record.validTo, "validTo"), now) < RENEW_BEFORE_DAYS) due += 1;
        }
        return due;
      });
      const naiveRate = rate(naiveCount, naive.ms);

      // diagnostics: where the gap to the ceiling comes from (not certrelay code paths)
      const readAhead = await medianOf(LIST_REPEATS, () => listWithReadAhead(client, size));
      const bare = await medianOf(EACH_REPEATS, () => bareUndiciEach(url, credentials, size, idOf));
      await client.close();
      rows.push({
        group: `fleet scan ${size.toLocaleString("en-US")}`,
        measure: `CDN GET per certificate, p-limit ${PER_CERT_CONCURRENCY}, median of ${EACH_REPEATS}; ${each.value} due`,
        value: fmtRate(eachRate, "certs"),
        reference: `raw ${fmtRate(eachCeiling.requestsPerSecond, "req")} (autocannon, ${PER_CERT_CONCURRENCY} conns); naive loop ${fmtRate(naiveRate, "certs")} (${naiveCount})`,
        target: ">= 70% of raw",
        met:
          eachRate >= 0.7 * eachCeiling.requestsPerSecond
            ? `yes (${pct(eachRate, eachCeiling.requestsPerSecond)})`
            : `no (${pct(eachRate, eachCeiling.requestsPerSecond)})`,
      });
      rows.push({
        group: `fleet scan ${size.toLocaleString("en-US")}`,
        measure: "diagnostic: list with one page read ahead (SfdClient, 2 in flight)",
        value: fmtRate(rate(size, readAhead.ms), "certs"),
        reference: `${pct(rate(size, readAhead.ms), listCeilingRate)} of the 1-conn raw ceiling`,
        target: "-",
        met: "",
      });
      rows.push({
        group: `fleet scan ${size.toLocaleString("en-US")}`,
        measure: `diagnostic: GET per certificate with a bare undici Agent (${PER_CERT_CONCURRENCY} conns, signed, no retry/timeout layer)`,
        value: fmtRate(rate(size, bare.ms), "certs"),
        reference: `${pct(rate(size, bare.ms), eachCeiling.requestsPerSecond)} of raw`,
        target: "-",
        met: "",
      });
    } finally {
      await child.stop();
    }
  }
  return rows;
}

/** The whole account in one request: the list takes no parameters and has no paging (VENDOR-NOTES). */
async function listWithReadAhead(client: SfdClient, _size: number): Promise<number> {
  const now = new Date();
  let due = 0;
  for (const r of await client.listCertificates())
    if (expireInDays(parseSfdTimestamp(r.validTo, "validTo"), now) < RENEW_BEFORE_DAYS) due += 1;
  return due;
}

async function bareUndiciEach(
  url: string,
  credentials: { accessKeyId: string; accessKeySecret: string },
  size: number,
  idOf: (i: number) => number,
): Promise<number> {
  const agent = new Agent({ connections: PER_CERT_CONCURRENCY });
  const limit = pLimit(PER_CERT_CONCURRENCY);
  try {
    const now = new Date();
    const days = await Promise.all(
      Array.from({ length: size }, (_, i) =>
        limit(async () => {
          const target = new URL(`/sfd/v2.0/certs/${idOf(i)}`, url);
          const headers = signRequest(
            { method: "GET", url: target, headers: {}, body: undefined },
            credentials,
            new Date(),
          );
          const res = await agent.request({
            origin: target.origin,
            path: target.pathname,
            method: "GET",
            headers: { ...headers, accept: "application/json" },
          });
          const record = (await res.body.json()) as { validTo: string };
          return expireInDays(parseSfdTimestamp(record.validTo, "validTo"), now);
        }),
      ),
    );
    return days.filter((d) => d < RENEW_BEFORE_DAYS).length;
  } finally {
    await agent.close();
  }
}

/**
 * The same scan against the reseller: its own paginated list (pages of RESELLER_PAGE_SIZE, as the client asks) and
 * one GET per order at bounded concurrency, each beside autocannon on the same route.
 */
export async function measureResellerScan(sizes: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of sizes) {
    const child = await startSandboxChild(size);
    try {
      const reseller = child.info.reseller;
      if (!reseller) throw new Error("the sandbox child started no reseller");
      const { url, credentials } = reseller;
      const ctx = benchContext();
      const idOf = (i: number) => `seed-${(i % size) + 1}`;
      const group = `fleet scan ${size.toLocaleString("en-US")}`;

      const scanList = async () => {
        const now = new Date();
        let seen = 0;
        let due = 0;
        for await (const order of listResellerCertificates({ endpoint: url }, credentials, ctx)) {
          seen += 1;
          if (order.notAfter && expireInDays(order.notAfter, now) < RENEW_BEFORE_DAYS) due += 1;
        }
        return { seen, due };
      };
      await scanList();
      await scanList();
      const list = await medianOf(LIST_REPEATS, scanList);
      if (list.value.seen !== size) throw new Error(`reseller list scan saw ${list.value.seen} of ${size} orders`);
      const pages = Math.ceil(size / RESELLER_PAGE_SIZE);
      const listCeiling = await measureCeiling({
        baseUrl: url,
        authFor: basicAuth(credentials),
        pathFor: (n) => `/ssl-certificate?page=${(n % pages) + 1}&per_page=${RESELLER_PAGE_SIZE}`,
        connections: 1,
        durationSeconds: CEILING_SECONDS,
      });
      const listRate = rate(size, list.ms);
      const listCeilingRate = listCeiling.requestsPerSecond * (size / pages);
      rows.push({
        group,
        measure: `reseller list, pages of ${RESELLER_PAGE_SIZE} (1 in flight), median of ${LIST_REPEATS}; ${list.value.due} due`,
        value: fmtRate(listRate, "certs"),
        reference: `raw ${fmtRate(listCeilingRate, "certs")} (autocannon, 1 conn)`,
        target: ">= 70% of raw",
        met: `${listRate >= 0.7 * listCeilingRate ? "yes" : "no"} (${pct(listRate, listCeilingRate)})`,
      });

      const client = new ResellerClient(url, credentials, ctx);
      const limit = pLimit(PER_CERT_CONCURRENCY);
      const checkEach = async (count: number) => {
        const now = new Date();
        const days = await Promise.all(
          Array.from({ length: count }, (_, i) =>
            limit(async () => {
              const order = await client.get(idOf(i));
              return order.valid_until ? expireInDays(new Date(order.valid_until), now) : Number.POSITIVE_INFINITY;
            }),
          ),
        );
        return days.filter((d) => d < RENEW_BEFORE_DAYS).length;
      };
      await checkEach(size);
      const each = await medianOf(EACH_REPEATS, () => checkEach(size));
      const eachCeiling = await measureCeiling({
        baseUrl: url,
        authFor: basicAuth(credentials),
        pathFor: (n) => `/ssl-certificate/${idOf(n)}`,
        connections: PER_CERT_CONCURRENCY,
        durationSeconds: CEILING_SECONDS,
      });
      const naiveCount = Math.min(size, NAIVE_CAP);
      const naive = await timed(async () => {
        for (let i = 0; i < naiveCount; i += 1) await client.get(idOf(i));
      });
      await client.close();
      const eachRate = rate(size, each.ms);
      rows.push({
        group,
        measure: `reseller GET per order, p-limit ${PER_CERT_CONCURRENCY}, median of ${EACH_REPEATS}; ${each.value} due`,
        value: fmtRate(eachRate, "certs"),
        reference: `raw ${fmtRate(eachCeiling.requestsPerSecond, "req")} (autocannon, ${PER_CERT_CONCURRENCY} conns); naive loop ${fmtRate(rate(naiveCount, naive.ms), "certs")} (${naiveCount})`,
        target: ">= 70% of raw",
        met: `${eachRate >= 0.7 * eachCeiling.requestsPerSecond ? "yes" : "no"} (${pct(eachRate, eachCeiling.requestsPerSecond)})`,
      });
    } finally {
      await child.stop();
    }
  }
  return rows;
}
