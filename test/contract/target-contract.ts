/**
 * The target contract: what every vendor's Target does, checked over its real sandbox (HTTP/TLS, fault injection,
 * requests counted where they arrive). `targetContract(definition, makeSubject)` registers one describe per vendor.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CertificateMaterial, DeployedCertificate, Target } from "../../src/model.js";
import type { AnyProviderDefinition } from "../../src/providers/kit/definition.js";
import { buildTarget, contractContext } from "./build.js";
import type { KnownGaps, TargetSubject } from "./subject.js";

async function listed(target: Target): Promise<DeployedCertificate[]> {
  const out: DeployedCertificate[] = [];
  for await (const c of target.list()) out.push(c);
  return out;
}

/** Requests one call sends, read at the sandbox. */
async function requestsOf<T>(subject: TargetSubject, call: () => Promise<T>): Promise<{ value: T; requests: number }> {
  const before = subject.sandbox.requestCount;
  const value = await call();
  return { value, requests: subject.sandbox.requestCount - before };
}

export const TARGET_PROPERTIES = {
  idempotent:
    "deploying the same material twice writes once: the second deploy answers changed: false and sends no write",
  verify: "verify after deploy is ok and names the deployed serial",
  get503: "a GET answered 503 is retried: the same list, one request more",
  getDrop: "a GET whose connection drops is retried: the same list, one request more",
  post503: "a write answered 503 is sent once, never blind-retried; the next deploy writes it once",
  postDrop: "a write whose connection drops is sent once, never blind-retried; the next deploy writes it once",
  postLost: "a write that landed but whose answer was lost is never sent again: the next deploy finds it",
  close: "close() twice is safe",
} as const;

export function targetContract(
  definition: AnyProviderDefinition,
  makeSubject: () => Promise<TargetSubject>,
  gaps: KnownGaps = new Set(),
): void {
  describe(`target contract: ${definition.name}`, () => {
    let subject: TargetSubject;
    const open: Target[] = [];
    const target = (): Target => {
      const made = buildTarget(definition, subject.entry, subject.credentials, {
        ...contractContext(subject.trust),
        ...subject.context,
      });
      open.push(made);
      return made;
    };
    const property = (key: keyof typeof TARGET_PROPERTIES, body: () => Promise<void>) =>
      (gaps.has(key) ? it.fails : it)(TARGET_PROPERTIES[key], body);

    beforeAll(async () => {
      subject = await makeSubject();
    });
    // every run closes what it opened (a PBX allows 8 live tokens per application)
    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((t) => t.close()));
    });
    afterAll(async () => {
      await subject?.stop();
    });

    property("idempotent", async () => {
      const material = await subject.material();
      const first = await target().deploy(material);
      const writes = subject.writes();
      const second = await target().deploy(material);
      expect(second).toMatchObject({ serial: first.serial, changed: false });
      expect(subject.writes()).toBe(writes);
    });

    property("verify", async () => {
      const material = await subject.material();
      const t = target();
      const deployed = await t.deploy(material);
      const verdict = await t.verify(deployed.serial);
      expect(verdict, verdict.detail).toMatchObject({ ok: true, servedSerial: deployed.serial });
      // and a fresh target (a later run) agrees
      expect((await target().verify(deployed.serial)).ok).toBe(true);
    });

    for (const [key, fault] of [
      ["get503", { kind: "status", status: 503 }],
      ["getDrop", { kind: "drop" }],
    ] as const) {
      property(key, async () => {
        await target().deploy(await subject.material());
        const t = target();
        await listed(t); // sessions and tokens in place, so both reads below send the same requests
        const clean = await requestsOf(subject, () => listed(t));
        subject.sandbox.faults.add({ fault, method: "GET", times: 1 });
        const faulted = await requestsOf(subject, () => listed(t));
        expect(faulted.value).toEqual(clean.value);
        expect(faulted.value.length).toBeGreaterThan(0);
        expect(faulted.requests).toBe(clean.requests + 1);
      });
    }

    for (const [key, fault] of [
      ["post503", { kind: "status", status: 503 }],
      ["postDrop", { kind: "drop" }],
    ] as const) {
      property(key, async () => {
        const write = subject.write;
        if (!write) {
          // a target without writes (a view of what the vendor bound at issuance) refuses foreign material unwritten
          const foreign: CertificateMaterial = await (subject.foreignMaterial ?? subject.material)();
          const writes = subject.writes();
          await expect(target().deploy(foreign)).rejects.toMatchObject({ code: expect.any(String) as unknown });
          expect(subject.writes()).toBe(writes);
          return;
        }
        const material = await subject.material();
        const sent = subject.sandbox.count(write.key);
        const writes = subject.writes();
        subject.sandbox.faults.add({ fault, method: write.method, path: write.path, times: 1 });
        await expect(target().deploy(material)).rejects.toMatchObject({ code: expect.any(String) as unknown });
        expect(subject.sandbox.count(write.key)).toBe(sent + 1);
        // the client gave up after the one faulted write: nothing else was written in its place
        expect(subject.writes()).toBe(writes + 1);
        const again = await target().deploy(material);
        expect(again.changed).toBe(true);
        expect(subject.sandbox.count(write.key)).toBe(sent + 2);
        expect((await target().verify(again.serial)).ok).toBe(true);
      });
    }

    property("postLost", async () => {
      const landing = subject.landing;
      if (!landing) {
        // nothing a deploy sends can land (the target is a view): it writes nothing, whatever is lost
        const material = await subject.material();
        const writes = subject.writes();
        await target().deploy(material);
        expect(subject.writes()).toBe(writes);
        return;
      }
      const material = await subject.material();
      const landed = () => landing.keys.reduce((n, key) => n + subject.sandbox.count(key), 0);
      const before = landed();
      subject.sandbox.faults.add({
        fault: { kind: "drop-answer" },
        method: landing.method,
        path: landing.path,
        times: 1,
      });
      // the run that lost the answer may find the write by itself, or fail saying it may have landed
      const outcome = await target()
        .deploy(material)
        .then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
      expect(landed(), JSON.stringify(outcome)).toBe(before + 1);
      const again = await target().deploy(material);
      expect(landed()).toBe(before + 1);
      expect(again.changed).toBe(false);
      expect((await target().verify(again.serial)).ok).toBe(true);
    });

    property("close", async () => {
      const t = target();
      await listed(t);
      await t.close();
      await expect(t.close()).resolves.toBeUndefined();
      const unused = target();
      await unused.close();
      await expect(unused.close()).resolves.toBeUndefined();
    });
  });
}
