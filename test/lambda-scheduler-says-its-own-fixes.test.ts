/**
 * The scheduler Lambda as AWS runs it (everything from the environment) says what a Lambda user can change: a
 * certificate keyType its issuer does not make stops the invocation as a config problem naming
 * certificates[0].keyType, on any day, not only on renewal day; an edge whose chain the function does not trust
 * names CERTRELAY_CA_FILE (not the CLI's --ca-file).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSchedulerHandler, defaultDepsFromEnv } from "../src/fleet/index.js";
import { cdnTargetYaml, seedCurrent, startFleetFixture, type FleetFixture } from "./support/fleet.js";

let f: FleetFixture;
const saved = { ...process.env };

beforeAll(async () => {
  f = await startFleetFixture({ realClock: true });
});

afterAll(async () => {
  process.env = saved;
  await f?.stop();
});

/**
 * One cold scheduled invocation over `yaml`, wired as lambda/scheduler.ts wires it (a fresh handler: a warm one keeps
 * the environment it read first): what it returned or threw, and what it printed.
 */
async function invoke(yaml: string[]): Promise<{ result?: unknown; error?: unknown; output: string }> {
  process.env = {
    ...saved,
    AWS_ENDPOINT_URL: f.moto.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    CERTRELAY_CONFIG_YAML: yaml.join("\n"),
  };
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  });
  try {
    const handler = createSchedulerHandler(() => defaultDepsFromEnv(process.env));
    const result = await handler(
      { "detail-type": "Scheduled Event" },
      { getRemainingTimeInMillis: () => 800_000, awsRequestId: "req-fixes" },
    );
    return { result, output: printed.join("") };
  } catch (error) {
    return { error, output: printed.join("") };
  } finally {
    write.mockRestore();
  }
}

describe("scheduler Lambda", () => {
  it("refuses a keyType its issuer does not make when the config is read, long before renewal day", async () => {
    await seedCurrent(f, "certrelay/www", "www.shop.example", 60);
    const uploads = f.cdn.uploadCount;
    const run = await invoke([
      "certificates:",
      "  - name: www",
      "    secret: certrelay/www",
      "    keyType: ecc",
      "    issuer: { provider: reseller, endpoint: https://127.0.0.1:9, credentials: certrelay/reseller, dcvType: DNS }",
      "    targets:",
      cdnTargetYaml(f, "www.shop.example"),
    ]);
    const said = `${run.error instanceof Error ? run.error.message : ""}\n${run.output}`;
    expect(run.error).toMatchObject({ code: "CONFIG_INVALID", field: "certificates[0].keyType" });
    expect(said).toContain(
      "certificates[0].keyType: is ecc but its issuer (reseller) makes rsa keys; the reseller issues RSA certificates only: set keyType rsa or remove it (line 4)",
    );
    expect(f.cdn.uploadCount).toBe(uploads);
  });

  it("an untrusted edge chain names CERTRELAY_CA_FILE", async () => {
    await seedCurrent(f, "certrelay/api", "api.shop.example", 60);
    const run = await invoke([
      "certificates:",
      "  - name: api",
      "    secret: certrelay/api",
      "    targets:",
      cdnTargetYaml(f, "api.shop.example"),
    ]);
    expect(run.output).toContain("trust that CA with CERTRELAY_CA_FILE");
    expect(run.output).not.toContain("--ca-file");
  });

  it("a target whose credentials secret does not exist names the fields its provider reads, as check does", async () => {
    await seedCurrent(f, "certrelay/shop", "shop.shop.example", 60);
    const run = await invoke([
      "certificates:",
      "  - name: shop",
      "    secret: certrelay/shop",
      "    targets:",
      cdnTargetYaml(f, "shop.shop.example").replace("credentials: certrelay/cdn", "credentials: certrelay/no-such-cdn"),
    ]);
    expect(run.output).toContain("certrelay/no-such-cdn");
    expect(run.output).toContain("provider cdn reads 'accessKeyId' and 'accessKeySecret'");
  });
});
