import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../src/pipeline/index.js";
import { certFacts } from "../src/x509/index.js";
import { startPipelineWorld, type PipelineWorld } from "./support/pipeline-world.js";

const ISSUE_ROUTE = "POST /connect-service/v2.0/certificates";
const UPLOAD_ROUTE = "POST /openapi/v1.0/certificate/upload";

describe("a renewal whose second target fails", () => {
  let world: PipelineWorld;
  let oldSerial: string;
  beforeAll(async () => {
    world = await startPipelineWorld();
    oldSerial = certFacts(world.seeded.certificate).serial;
  });
  afterAll(async () => world?.stop());

  it("keeps the last good certificate current in the store and on the failing target, and reports per target", async () => {
    // Every PBX upload fails: uploads are POSTs, never retried, so the PBX deploy fails outright.
    world.yeastar.faults.add({ fault: { kind: "status", status: 503 }, method: "POST", path: "/openapi/v1.0/certificate/upload", times: Infinity });
    const summary = await runPipeline(world.config, world.deps());
    const report = summary.reports[0];

    expect(summary.ok).toBe(false);
    expect(report?.action).toBe("failed");
    expect(report?.error?.message).toMatch(/reached 1 of 2 targets/);
    expect(report?.targets.map((t) => [t.provider, t.status])).toEqual([
      ["cdn", "deployed"],
      ["yeastar", "failed"],
    ]);
    // the store still serves the last good certificate as current; the renewal waits as pending
    expect(certFacts((await world.store.getCurrent("certrelay/www"))!.certificate).serial).toBe(oldSerial);
    const pending = await world.store.getPending("certrelay/www");
    expect(pending?.certificate).toBeDefined();
    expect(pending?.deployedTo).toHaveLength(1);
    expect(pending?.lastError?.message).toMatch(/yeastar|pbx|failed/i);
    // nothing was ever installed on the PBX, so whatever it served before is untouched
    expect(world.yeastar.certificates("server").filter((c) => c.name.includes(certFacts(pending!.certificate!).serial))).toHaveLength(0);
    expect(world.enos.count(ISSUE_ROUTE)).toBe(1);
  });

  it("finishes on the next run without issuing again, then promotes", async () => {
    world.yeastar.faults.clear();
    const before = world.enos.count(ISSUE_ROUTE);
    const summary = await runPipeline(world.config, world.deps());
    const report = summary.reports[0];

    expect(report?.action).toBe("renewed");
    expect(world.enos.count(ISSUE_ROUTE)).toBe(before); // no second certificate bought/applied
    expect(report?.targets.map((t) => t.status)).toEqual(["deployed", "deployed"]);
    const current = await world.store.getCurrent("certrelay/www");
    const newSerial = certFacts(current!.certificate).serial;
    expect(newSerial).not.toBe(oldSerial);
    expect(report?.previousSerial).toBe(oldSerial);
    expect(await world.store.getPending("certrelay/www")).toBeUndefined();
    expect(world.cdn.servedRecord("www.example.com")?.serialHex).toBe(newSerial);
    expect(world.yeastar.inUse()?.name).toContain(newSerial);
    expect(world.yeastar.count(UPLOAD_ROUTE)).toBeGreaterThanOrEqual(1);
  });

  it("leaves everything alone on a third run: not due, every target holds the current certificate", async () => {
    const uploads = world.yeastar.count(UPLOAD_ROUTE);
    const cdnUploads = world.cdn.uploadCount;
    const summary = await runPipeline(world.config, world.deps());
    expect(summary.reports[0]?.action).toBe("none");
    expect(summary.reports[0]?.due).toBe(false);
    expect(summary.reports[0]?.targets.map((t) => t.status)).toEqual(["holds-current", "holds-current"]);
    expect(world.yeastar.count(UPLOAD_ROUTE)).toBe(uploads);
    expect(world.cdn.uploadCount).toBe(cdnUploads);
  });
});
