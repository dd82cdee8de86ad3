import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchedulerHandler } from "../src/fleet/scheduler.js";
import {
  certificateLine,
  cdnTargetYaml,
  CountingStore,
  fleetDeps,
  seedCurrent,
  startFleetFixture,
  type FleetFixture,
} from "./support/fleet.js";

describe("scheduler: no renewal starts when the Lambda is about to time out", () => {
  let f: FleetFixture;
  beforeAll(async () => {
    f = await startFleetFixture();
  });
  afterAll(async () => {
    await f?.stop();
  });

  it("leaves due certificates for the next run and says so", async () => {
    await seedCurrent(f, "certrelay/www", "www.shop.example", 3);
    const yaml = [
      "certificates:",
      "  - name: www",
      "    secret: certrelay/www",
      "    targets:",
      cdnTargetYaml(f, "www.shop.example"),
    ].join("\n");
    const store = new CountingStore(f.secrets);
    const { deps, json } = await fleetDeps(f, { yaml, store, settings: { reserveMs: 120_000 } });

    const result = await createSchedulerHandler(deps)({}, { getRemainingTimeInMillis: () => 90_000 });

    expect(result.counts).toMatchObject({ deferred: 1, renewed: 0, failed: 0 });
    expect(store.totalWrites).toBe(0);
    expect(f.cdn.requestCount).toBe(0);
    expect(certificateLine(json(), "www")).toMatchObject({ action: "deferred", result: "in-progress", daysLeft: 3 });
  });
});
