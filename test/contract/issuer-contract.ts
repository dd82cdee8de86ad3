/**
 * The issuer contract: what every vendor's Issuer does, checked over its real sandbox (or Pebble), with purchases
 * and requests counted where they arrive. `issuerContract(definition, makeSubject)` registers one describe per vendor.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { IssueOutcome, IssueRequest, Issuer } from "../../src/model.js";
import { certFacts } from "../../src/x509/index.js";
import type { AnyProviderDefinition } from "../../src/providers/kit/definition.js";
import { buildIssuer, contractContext } from "./build.js";
import type { IssuerSubject, KnownGaps } from "./subject.js";

export const ISSUER_PROPERTIES = {
  resume: "issue then resume collects the same order: same order id, same certificate, nothing bought",
  sameReference: "a retried request with the same reference does not buy twice",
  get503: "a GET answered 503 is retried: the same outcome, one request more",
  getDrop: "a GET whose connection drops is retried: the same outcome, one request more",
  post503: "a purchase answered 503 is sent once, never blind-retried; the next run buys once",
  postDrop: "a purchase whose connection drops is sent once, never blind-retried; the next run buys once",
  postLost: "a purchase that landed but whose answer was lost is never sent again: this run or the next collects it",
  close: "close() twice is safe",
} as const;

function issued(outcome: IssueOutcome): Extract<IssueOutcome, { state: "issued" }> {
  if (outcome.state !== "issued") throw new Error(`expected an issued certificate, got pending: ${outcome.detail}`);
  return outcome;
}

/**
 * `issue()` answered, then the order collected as the pipeline's poll loop would: an issuer answers once, and a CA
 * may still be validating when it does (Pebble on a loaded 2-core machine answered "pending" in a CI rehearsal).
 * Resuming never buys, so the purchase counts the properties assert are unchanged; bounded, so a CA that never
 * finishes still fails the test.
 */
async function issueSettled(i: Issuer, req: IssueRequest): Promise<Extract<IssueOutcome, { state: "issued" }>> {
  let outcome = await i.issue(req);
  for (const until = Date.now() + 60_000; outcome.state === "pending" && Date.now() < until; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    outcome = await i.resume(outcome.orderId, req);
  }
  return issued(outcome);
}

export function issuerContract(
  definition: AnyProviderDefinition,
  makeSubject: () => Promise<IssuerSubject>,
  gaps: KnownGaps = new Set(),
): void {
  describe(`issuer contract: ${definition.name}`, () => {
    let subject: IssuerSubject;
    const open: Issuer[] = [];
    let serial = 0;
    const issuer = (): Issuer => {
      const made = buildIssuer(definition, subject.entry, subject.credentials, {
        ...contractContext(subject.trust, subject.store),
        ...subject.context,
      });
      open.push(made);
      return made;
    };
    const request = (i: Issuer): Promise<IssueRequest> =>
      subject.request(`certrelay:contract:${definition.name}:${++serial}`, i.keyType);
    const property = (key: keyof typeof ISSUER_PROPERTIES, body: () => Promise<void>) =>
      (gaps.has(key) ? it.fails : it)(ISSUER_PROPERTIES[key], body);

    /** One issued order to read back in the read tests. */
    let collected: { request: IssueRequest; outcome: Extract<IssueOutcome, { state: "issued" }> } | undefined;
    async function anOrder(): Promise<NonNullable<typeof collected>> {
      if (!collected) {
        const i = issuer();
        const req = await request(i);
        collected = { request: req, outcome: await issueSettled(i, req) };
      }
      return collected;
    }

    beforeAll(async () => {
      subject = await makeSubject();
    });
    // every run closes what it opened (a PBX allows 8 live tokens per application)
    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((i) => i.close()));
    });
    afterAll(async () => {
      await subject?.stop();
    });

    property("resume", async () => {
      const i = issuer();
      const req = await request(i);
      const first = await issueSettled(i, req);
      const bought = subject.purchases();
      const resumed = issued(await issuer().resume(first.orderId, req));
      expect(resumed.orderId).toBe(first.orderId);
      expect(certFacts(resumed.certificate).serial).toBe(certFacts(first.certificate).serial);
      expect(subject.purchases()).toBe(bought);
    });

    property("sameReference", async () => {
      const i = issuer();
      const req = await request(i);
      const before = subject.purchases();
      const first = await issueSettled(i, req);
      // the run died before it stored anything: the next run asks again with the same reference and key
      const retried = issued(await issuer().issue(req));
      expect(subject.purchases()).toBe(before + 1);
      expect(retried.orderId).toBe(first.orderId);
      expect(certFacts(retried.certificate).serial).toBe(certFacts(first.certificate).serial);
    });

    for (const [key, fault] of [
      ["get503", { kind: "status", status: 503 }],
      ["getDrop", { kind: "drop" }],
    ] as const) {
      property(key, async () => {
        const { request: req, outcome } = await anOrder();
        // a fresh issuer each time (a later run): the same requests from a cold start
        const cold = async () => {
          const before = subject.sandbox.requestCount;
          const value = issued(await issuer().resume(outcome.orderId, req));
          return { value, requests: subject.sandbox.requestCount - before };
        };
        const clean = await cold();
        subject.sandbox.faults.add({ fault, method: "GET", times: 1 });
        const faulted = await cold();
        expect(faulted.value.orderId).toBe(clean.value.orderId);
        expect(faulted.value.certificate).toBe(clean.value.certificate);
        expect(faulted.requests).toBe(clean.requests + 1);
      });
    }

    for (const [key, fault] of [
      ["post503", { kind: "status", status: 503 }],
      ["postDrop", { kind: "drop" }],
    ] as const) {
      property(key, async () => {
        const i = issuer();
        const req = await request(i);
        const sent = subject.sandbox.count(subject.buy.key);
        const bought = subject.purchases();
        subject.sandbox.faults.add({ fault, method: subject.buy.method, path: subject.buy.path, times: 1 });
        await expect(i.issue(req)).rejects.toMatchObject({ code: expect.any(String) as unknown });
        expect(subject.sandbox.count(subject.buy.key)).toBe(sent + 1);
        expect(subject.purchases()).toBe(bought);
        // the next run, same request: finds nothing bought, buys once
        await issueSettled(issuer(), req);
        expect(subject.sandbox.count(subject.buy.key)).toBe(sent + 2);
        expect(subject.purchases()).toBe(bought + 1);
      });
    }

    property("postLost", async () => {
      const i = issuer();
      const req = await request(i);
      const sent = subject.sandbox.count(subject.buy.key);
      const bought = subject.purchases();
      subject.sandbox.faults.add({
        fault: { kind: "drop-answer" },
        method: subject.buy.method,
        path: subject.buy.path,
        times: 1,
      });
      const first = await i.issue(req).then(
        (outcome) => ({ outcome }),
        (error: unknown) => ({ error }),
      );
      expect(subject.sandbox.count(subject.buy.key), JSON.stringify(first)).toBe(sent + 1);
      expect(subject.purchases()).toBe(bought + 1);
      // the next run with the same request collects what landed
      const next = await issueSettled(issuer(), req);
      expect(subject.sandbox.count(subject.buy.key)).toBe(sent + 1);
      expect(subject.purchases()).toBe(bought + 1);
      if ("outcome" in first && first.outcome.state === "issued") expect(next.orderId).toBe(first.outcome.orderId);
    });

    property("close", async () => {
      const used = issuer();
      await issueSettled(used, await request(used));
      await used.close();
      await expect(used.close()).resolves.toBeUndefined();
      const unused = issuer();
      await unused.close();
      await expect(unused.close()).resolves.toBeUndefined();
    });
  });
}
