import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchedulerHandler } from "../src/fleet/scheduler.js";
import { certFacts } from "../src/x509/index.js";
import {
  cdnTargetYaml,
  certificateLine,
  fleetDeps,
  roomyContext,
  seedCurrent,
  startFleetFixture,
  type FleetFixture,
} from "./support/fleet.js";
import { startIssuerFor, type IssuerFixture } from "./support/fleet-issuer.js";

describe("scheduler: a run that crashes right after the purchase is finished by the next run", () => {
  let f: FleetFixture;
  let issuer: IssuerFixture;
  beforeAll(async () => {
    f = await startFleetFixture();
    issuer = await startIssuerFor(f);
  });
  afterAll(async () => {
    await issuer?.stop();
    await f?.stop();
  });

  it("buys exactly once and promotes the certificate bought by the crashed run", async () => {
    const old = await seedCurrent(f, "certrelay/www", "www.shop.example", 4);
    const oldSerial = certFacts(old.certificate).serial;
    const yaml = [
      "certificates:",
      "  - name: www",
      "    secret: certrelay/www",
      "    issuer:",
      issuer.yaml("      "),
      "    targets:",
      cdnTargetYaml(f, "www.shop.example"),
    ].join("\n");
    const crashing = await fleetDeps(f, {
      yaml,
      checkpoint: (stage) => {
        if (stage === "issued") throw new Error("simulated Lambda timeout");
      },
    });

    await expect(createSchedulerHandler(crashing.deps)({}, roomyContext)).rejects.toThrow(/interrupted at issued/);

    const pending = await f.secrets.getPending("certrelay/www");
    expect(pending?.certificate).toBeDefined();
    const boughtSerial = certFacts(pending?.certificate ?? "").serial;
    expect(certFacts((await f.secrets.getCurrent("certrelay/www"))?.certificate ?? "").serial).toBe(oldSerial);
    expect(f.cdn.uploadCount).toBe(0);
    expect(issuer.purchases()).toBe(1);
    expect(crashing.json().find((l) => l.message === "run failed")).toMatchObject({ errorCode: "INTERRUPTED" });

    const second = await fleetDeps(f, { yaml });
    const result = await createSchedulerHandler(second.deps)({}, roomyContext);

    expect(result.counts).toMatchObject({ renewed: 1, failed: 0 });
    expect(issuer.purchases()).toBe(1);
    expect(certFacts((await f.secrets.getCurrent("certrelay/www"))?.certificate ?? "").serial).toBe(boughtSerial);
    expect(await f.secrets.getPending("certrelay/www")).toBeUndefined();
    expect(await f.verifyOnCdn("www.shop.example", boughtSerial)).toMatchObject({ ok: true });
    expect(certificateLine(second.json(), "www")).toMatchObject({
      action: "renewed",
      serial: boughtSerial,
      previousSerial: oldSerial,
    });
  });
});
