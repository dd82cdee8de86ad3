import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchedulerHandler } from "../src/fleet/scheduler.js";
import { createCdnTarget } from "../src/providers/cdn/index.js";
import { certFacts } from "../src/x509/index.js";
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

describe("scheduler: a target serving an older certificate than the store gets the stored one", () => {
  let f: FleetFixture;
  beforeAll(async () => {
    f = await startFleetFixture();
  });
  afterAll(async () => {
    await f?.stop();
  });

  it("deploys the current certificate to the drifted target without renewing or writing the store", async () => {
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
    const older = await seedCurrent(f, "certrelay/www", "www.shop.example", 20);
    await target.deploy(older);
    const current = await seedCurrent(f, "certrelay/www", "www.shop.example", 70);
    const yaml = [
      "certificates:",
      "  - name: www",
      "    secret: certrelay/www",
      "    targets:",
      cdnTargetYaml(f, "www.shop.example"),
    ].join("\n");
    const store = new CountingStore(f.secrets);
    const { deps, json } = await fleetDeps(f, { yaml, store });

    const result = await createSchedulerHandler(deps)({}, roomyContext);

    expect(result.counts).toMatchObject({ deployed: 1, renewed: 0, failed: 0 });
    expect(store.totalWrites).toBe(0);
    const currentSerial = certFacts(current.certificate).serial;
    expect(certificateLine(json(), "www")).toMatchObject({
      action: "deployed",
      result: "ok",
      daysLeft: 70,
      serial: currentSerial,
    });
    expect(await target.verify(currentSerial)).toMatchObject({ ok: true, servedSerial: currentSerial });
    await target.close();
  });
});
