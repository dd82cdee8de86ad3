import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchedulerHandler } from "../src/fleet/scheduler.js";
import { startCdnSandbox, type CdnSandbox } from "../src/sandbox/cdn/server.js";
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

describe("scheduler: a run that crashes after the first of two targets is finished by the next run", () => {
  let f: FleetFixture;
  let issuer: IssuerFixture;
  let second: CdnSandbox;
  beforeAll(async () => {
    f = await startFleetFixture();
    issuer = await startIssuerFor(f);
    // a second CDN account with its own credentials secret
    second = await startCdnSandbox({
      ca: f.ca,
      clock: f.clock.now,
      accessKeyId: "SFDSECONDKEY",
      accessKeySecret: "second-account-secret",
    });
    await f.secrets.putCredentials("certrelay/cdn-eu", second.credentials);
  });
  afterAll(async () => {
    await second?.stop();
    await issuer?.stop();
    await f?.stop();
  });

  it("deploys only to the remaining target, promotes, and buys once", async () => {
    const old = await seedCurrent(f, "certrelay/www", "www.shop.example", 4);
    const oldSerial = certFacts(old.certificate).serial;
    const secondTarget = cdnTargetYaml(f, "www.shop.example")
      .replace(f.cdn.url, second.url)
      .replace("certrelay/cdn", "certrelay/cdn-eu")
      .replace(`127.0.0.1:${f.cdn.edgePort}`, `127.0.0.1:${second.edgePort}`);
    const yaml = [
      "certificates:",
      "  - name: www",
      "    secret: certrelay/www",
      "    issuer:",
      issuer.yaml("      "),
      "    targets:",
      cdnTargetYaml(f, "www.shop.example"),
      secondTarget,
    ].join("\n");
    const crashing = await fleetDeps(f, {
      yaml,
      checkpoint: (stage) => {
        if (stage === "target-deployed") throw new Error("simulated Lambda timeout");
      },
    });

    await expect(createSchedulerHandler(crashing.deps)({}, roomyContext)).rejects.toThrow(
      /interrupted at target-deployed/,
    );

    expect(f.cdn.uploadCount).toBe(1);
    expect(second.uploadCount).toBe(0);
    const pending = await f.secrets.getPending("certrelay/www");
    expect(pending?.deployedTo).toHaveLength(1);
    const newSerial = certFacts(pending?.certificate ?? "").serial;
    expect(certFacts((await f.secrets.getCurrent("certrelay/www"))?.certificate ?? "").serial).toBe(oldSerial);

    const rerun = await fleetDeps(f, { yaml });
    const result = await createSchedulerHandler(rerun.deps)({}, roomyContext);

    expect(result.counts).toMatchObject({ renewed: 1, failed: 0 });
    expect(f.cdn.uploadCount).toBe(1);
    expect(second.uploadCount).toBe(1);
    expect(issuer.purchases()).toBe(1);
    expect(certFacts((await f.secrets.getCurrent("certrelay/www"))?.certificate ?? "").serial).toBe(newSerial);
    expect(await f.secrets.getPending("certrelay/www")).toBeUndefined();
    expect(await f.verifyOnCdn("www.shop.example", newSerial)).toMatchObject({ ok: true });
    expect(certificateLine(rerun.json(), "www")).toMatchObject({
      action: "renewed",
      serial: newSerial,
      previousSerial: oldSerial,
    });
  });
});
