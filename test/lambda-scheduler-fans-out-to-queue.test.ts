import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchedulerHandler } from "../src/fleet/scheduler.js";
import { parseRenewalMessage } from "../src/fleet/fanout.js";
import {
  CountingStore,
  cdnTargetYaml,
  createQueue,
  fleetDeps,
  receiveAll,
  roomyContext,
  seedCurrent,
  startFleetFixture,
  type FleetFixture,
} from "./support/fleet.js";

describe("scheduler: more certificates due than FANOUT_THRESHOLD go to the queue", () => {
  let f: FleetFixture;
  beforeAll(async () => {
    f = await startFleetFixture();
  });
  afterAll(async () => {
    await f?.stop();
  });

  it("sends one message per due certificate, in batches, and renews nothing in-process", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `site${i}`);
    for (const name of names) await seedCurrent(f, `certrelay/${name}`, `${name}.shop.example`, 5);
    await seedCurrent(f, "certrelay/fresh", "fresh.shop.example", 80);
    const yaml = [
      "certificates:",
      ...[...names, "fresh"].flatMap((name) => [
        `  - name: ${name}`,
        `    secret: certrelay/${name}`,
        "    targets:",
        cdnTargetYaml(f, `${name}.shop.example`),
      ]),
    ].join("\n");
    const queueUrl = await createQueue(f.sqs, "certrelay-renewals");
    const store = new CountingStore(f.secrets);
    // fresh is not due; check only the store so this test is about the queue
    const { deps, json } = await fleetDeps(f, {
      yaml,
      store,
      sqs: f.sqs,
      settings: { fanoutThreshold: 10, queueUrl, checkTargets: false },
    });

    const result = await createSchedulerHandler(deps)({}, roomyContext);

    expect(result.mode).toBe("fan-out");
    expect(result.counts.queued).toBe(12);
    expect(result.counts.none).toBe(1);
    const messages = await receiveAll(f.sqs, queueUrl);
    const bodies = messages.map((m) => parseRenewalMessage(m.Body ?? ""));
    expect(bodies.map((b) => b.name).sort()).toEqual([...names].sort());
    expect(new Set(bodies.map((b) => b.dedupeId)).size).toBe(12);
    expect(bodies[0]?.dedupeId).toMatch(/^run-1:site\d+$/);
    expect(store.totalWrites).toBe(0);
    expect(f.cdn.uploadCount).toBe(0);
    const lines = json().filter((l) => l.message === "certificate");
    expect(lines.filter((l) => l.action === "queued")).toHaveLength(12);
    expect(lines.find((l) => l.certificate === "fresh")).toMatchObject({ action: "none", result: "ok", daysLeft: 80 });
  });
});
