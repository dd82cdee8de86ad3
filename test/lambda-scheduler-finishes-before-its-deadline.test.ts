import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LambdaContext } from "../src/fleet/lambda-types.js";
import { createSchedulerHandler } from "../src/fleet/scheduler.js";
import { cdnTargetYaml, fleetDeps, seedCurrent, startFleetFixture, type FleetFixture } from "./support/fleet.js";
import { startIssuerFor, type IssuerFixture } from "./support/fleet-issuer.js";

/** A Lambda context whose remaining time runs down in real time, as Lambda's does. */
function contextWithRemaining(ms: number): LambdaContext {
  const endsAt = Date.now() + ms;
  return { getRemainingTimeInMillis: () => endsAt - Date.now(), awsRequestId: "req-deadline" };
}

describe("scheduler: a renewal that cannot finish stops inside the invocation's remaining time", () => {
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

  it("returns before Lambda would kill it, with TIMEOUT and the bought certificate kept for the next run", async () => {
    await seedCurrent(f, "certrelay/www", "www.shop.example", 5);
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
    // The CDN hangs on every call: without a deadline, each attempt would wait the 5 s HTTP timeout, then retry.
    f.cdn.faults.add({ fault: { kind: "latency", ms: 120_000 }, times: Infinity });
    const { deps, json } = await fleetDeps(f, { yaml, settings: { reserveMs: 2_500 } });
    const context = contextWithRemaining(6_000);

    const result = await createSchedulerHandler(deps)({}, context);

    // Lambda would have killed an invocation that outran its remaining time; this one returned with time left.
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(result.counts).toMatchObject({ failed: 1, renewed: 0 });
    const outcome = result.outcomes.find((o) => o.name === "www");
    expect(outcome?.error?.code).toBe("TIMEOUT");
    expect(outcome?.error?.message).toMatch(/Lambda remaining time budget of 3\.\d s ran out after \d+\.\d s/);
    const pending = await f.secrets.getPending("certrelay/www");
    expect(pending?.certificate).toBeDefined();
    expect(pending?.lastError?.code).toBe("TIMEOUT");
    expect(issuer.purchases()).toBe(1);
    expect(json().some((line) => line.errorCode === "TIMEOUT" || JSON.stringify(line).includes("TIMEOUT"))).toBe(true);
  });
});
