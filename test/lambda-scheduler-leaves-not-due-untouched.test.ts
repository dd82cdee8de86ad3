import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchedulerHandler } from "../src/fleet/scheduler.js";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import {
  certificateLine,
  cdnTargetYaml,
  CountingStore,
  fleetDeps,
  roomyContext,
  seedCurrent,
  startFleetFixture,
  type FleetFixture,
} from "./support/fleet.js";

describe("scheduler: a certificate outside its renewal window is reported, not touched", () => {
  let f: FleetFixture;
  beforeAll(async () => {
    f = await startFleetFixture();
  });
  afterAll(async () => {
    await f?.stop();
  });

  it("writes nothing to the store or the vendors, and logs daysLeft with action none", async () => {
    const material = await seedCurrent(f, "certrelay/www", "www.shop.example", 60);
    const yaml = [
      "renewBeforeDays: 30",
      "certificates:",
      "  - name: www",
      "    secret: certrelay/www",
      "    targets:",
      cdnTargetYaml(f, "www.shop.example"),
    ].join("\n");
    // the CDN already serves the stored certificate
    const target = createCdnTarget(
      {
        endpoint: f.cdn.url,
        serviceId: "svc-www",
        verifyHost: "www.shop.example",
        verifyAddress: `127.0.0.1:${f.cdn.edgePort}`,
      },
      f.cdn.credentials,
      f.ctx,
    );
    await target.deploy(material);
    await target.close();
    const uploadsBefore = f.cdn.uploadCount;
    const attachBefore = f.cdn.count("POST /cdn/v1.0/services/:serviceId/certificates");
    const store = new CountingStore(f.secrets);
    const { deps, json } = await fleetDeps(f, { yaml, store });

    const result = await createSchedulerHandler(deps)({}, roomyContext);

    expect(result.counts).toMatchObject({ none: 1, renewed: 0, failed: 0 });
    expect(store.totalWrites).toBe(0);
    expect(f.cdn.uploadCount).toBe(uploadsBefore);
    expect(f.cdn.count("POST /cdn/v1.0/services/:serviceId/certificates")).toBe(attachBefore);
    expect(certificateLine(json(), "www")).toMatchObject({ action: "none", result: "ok", daysLeft: 60 });
    const metric = json().find((l) => l.Certificate === "www");
    expect(metric).toMatchObject({ DaysLeft: 60 });
    expect(json().find((l) => "RenewalsSucceeded" in l)).toMatchObject({ RenewalsSucceeded: 0, RenewalsFailed: 0 });
  });
});
