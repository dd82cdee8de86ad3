import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchedulerHandler } from "../src/fleet/scheduler.js";
import { certFacts } from "../src/x509/index.js";
import {
  cdnTargetYaml,
  certificateLine,
  CountingStore,
  fleetDeps,
  roomyContext,
  seedCurrent,
  startFleetFixture,
  type FleetFixture,
} from "./support/fleet.js";
import { startIssuerFor, type IssuerFixture } from "./support/fleet-issuer.js";

describe("scheduler: a due certificate is renewed, deployed, verified and promoted", () => {
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

  it("ends with the new serial under AWSCURRENT, the old under AWSPREVIOUS, and the CDN serving the new one", async () => {
    const old = await seedCurrent(f, "certrelay/www", "www.shop.example", 5);
    const oldSerial = certFacts(old.certificate).serial;
    const yaml = [
      "certificates:",
      "  - name: www",
      "    secret: certrelay/www",
      "    commonName: www.shop.example",
      "    issuer:",
      issuer.yaml("      "),
      "    targets:",
      cdnTargetYaml(f, "www.shop.example"),
    ].join("\n");
    const store = new CountingStore(f.secrets);
    const { deps, json, lines } = await fleetDeps(f, { yaml, store });

    const result = await createSchedulerHandler(deps)({}, roomyContext);

    expect(result.mode).toBe("in-process");
    expect(result.counts).toMatchObject({ renewed: 1, failed: 0 });
    const current = await f.secrets.getCurrent("certrelay/www");
    const newSerial = certFacts(current?.certificate ?? "").serial;
    expect(newSerial).not.toBe(oldSerial);
    const previous = await f.sm.send(
      new GetSecretValueCommand({ SecretId: "certrelay/www", VersionStage: "AWSPREVIOUS" }),
    );
    expect(certFacts((JSON.parse(previous.SecretString ?? "{}") as { certificate: string }).certificate).serial).toBe(
      oldSerial,
    );
    expect(await f.secrets.getPending("certrelay/www")).toBeUndefined();
    expect(store.writes.promote).toBe(1);
    expect(issuer.purchases()).toBe(1);
    expect(f.cdn.uploadCount).toBe(1);
    const served = await f.verifyOnCdn("www.shop.example", newSerial);
    expect(served).toMatchObject({ ok: true, servedSerial: newSerial });

    expect(certificateLine(json(), "www")).toMatchObject({
      action: "renewed",
      result: "ok",
      serial: newSerial,
      previousSerial: oldSerial,
    });
    expect(json().find((l) => "RenewalsSucceeded" in l)).toMatchObject({ RenewalsSucceeded: 1, RenewalsFailed: 0 });
    const output = lines.join("\n");
    for (const secret of [
      old.privateKey,
      current?.privateKey ?? "",
      ...issuer.secrets,
      f.cdn.credentials.accessKeySecret,
    ]) {
      expect(output).not.toContain(secret.trim());
    }
    expect(output).not.toContain("PRIVATE KEY");
  });
});
