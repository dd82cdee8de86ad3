/**
 * Resello documents GET /ssl-certificate as "a list of all certificates", filtered only by plan and
 * client_reference: no paging. The fleet scan asks once, without invented parameters, and sees every certificate
 * exactly once, whether the server pages or ignores paging, and even when an answer repeats records.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listResellerCertificates } from "../src/providers/reseller/index.js";
import { seedResellerCertificates, type ResellerSandbox } from "../src/sandbox/reseller/server.js";
import { PLAN, basic, resellerCtx, resellerWorld } from "./support/reseller.js";

const LIST = "GET /ssl-certificate";

let sandbox: ResellerSandbox;
beforeAll(async () => {
  ({ sandbox } = await resellerWorld({ ignorePaging: true }));
  seedResellerCertificates(sandbox, 1_200);
});
afterAll(async () => {
  await sandbox.stop();
});

const settings = () => ({ endpoint: sandbox.url, plan: PLAN, dcvType: "DNS" as const });

async function scan(): Promise<string[]> {
  const ids: string[] = [];
  for await (const c of listResellerCertificates(settings(), { ...sandbox.credentials }, resellerCtx())) ids.push(c.id);
  return ids;
}

describe("the Resello fleet scan assumes no paging", () => {
  it("the sandbox knob really ignores paging parameters", async () => {
    const res = await fetch(new URL("/ssl-certificate?page=2&per_page=10", sandbox.url), { headers: basic(sandbox) });
    expect(((await res.json()) as unknown[]).length).toBe(sandbox.orderCount);
  });

  it("a scan of an account whose server ignores paging ends after one request, every certificate seen once", async () => {
    sandbox.resetStats();
    sandbox.recording = [];
    const ids = await scan();
    expect(ids).toHaveLength(sandbox.orderCount);
    expect(new Set(ids).size).toBe(ids.length);
    expect(sandbox.count(LIST)).toBe(1);
    expect(sandbox.recording.map((r) => [r.method, r.path, r.query])).toEqual([["GET", "/ssl-certificate", {}]]);
    sandbox.recording = undefined;
  });

  it("an answer that repeats records still yields each certificate once", async () => {
    const whole = (await (
      await fetch(new URL("/ssl-certificate", sandbox.url), { headers: basic(sandbox) })
    ).json()) as unknown[];
    sandbox.faults.add({
      fault: { kind: "status", status: 200, body: [...whole, ...whole.slice(0, 300)] },
      method: "GET",
      path: "/ssl-certificate",
      times: 1,
    });
    const ids = await scan();
    expect(ids).toHaveLength(sandbox.orderCount);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
