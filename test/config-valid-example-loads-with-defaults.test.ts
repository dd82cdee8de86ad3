import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, parseConfig, renewBeforeDaysFor } from "../src/config/index.js";
import { exampleConfig } from "./support/config-example.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-config-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a valid certrelay.yml", () => {
  it("loads from disk with defaults filled in", async () => {
    const path = join(dir, "certrelay.yml");
    await writeFile(path, exampleConfig);
    const config = await loadConfig(path);
    expect(config.renewBeforeDays).toBe(30);
    expect(config.concurrency).toBe(4);
    expect(config.certificates.map((c) => c.name)).toEqual(["www", "meter-17"]);
    const [www, meter] = config.certificates;
    expect(www?.issuer).toEqual({
      provider: "reseller",
      endpoint: "https://reseller.example",
      credentials: "certrelay/reseller",
      certificateId: "42",
      plan: "3f7830c3-3fa4-404d-908f-35daaa1cd17b",
      dcvType: "DNS",
    });
    expect(www?.targets[1]).toEqual({
      provider: "yeastar",
      endpoint: "https://pbx:8088",
      credentials: "certrelay/pbx",
      certificateType: "server",
      pruneOld: false,
    });
    expect(meter?.issuer).toMatchObject({ provider: "enos", issueAuthority: "ECC", validDays: 250 });
    expect(meter?.targets[0]).toMatchObject({ provider: "enos", assetId: "asset17" });
  });

  it("applies the file-wide renewal window unless a certificate overrides it", async () => {
    const config = await parseConfig(exampleConfig);
    const [www, meter] = config.certificates;
    expect(www && renewBeforeDaysFor(config, www)).toBe(10);
    expect(meter && renewBeforeDaysFor(config, meter)).toBe(30);
  });

  it("fills defaults in a minimal file and keeps numeric vendor ids as text", async () => {
    const config = await parseConfig(`certificates:
  - name: pbx
    secret: certrelay/pbx-cert
    targets:
      - { provider: yeastar, endpoint: "https://pbx:8088", credentials: certrelay/pbx }
      - { provider: cdn, endpoint: "https://cdn:4000", credentials: certrelay/cdn, verifyHost: pbx.example.com, serviceId: 7 }
`);
    expect(config).toMatchObject({ renewBeforeDays: 30, concurrency: 4 });
    expect(config.certificates[0]?.targets[0]).toMatchObject({ certificateType: "server", pruneOld: false });
    expect(config.certificates[0]?.targets[1]).toMatchObject({ serviceId: "7" });
  });

  it("reports a missing file as INPUT_MISSING naming the path", async () => {
    const path = join(dir, "absent.yml");
    await expect(loadConfig(path)).rejects.toMatchObject({
      code: "INPUT_MISSING",
      message: expect.stringContaining(path),
    });
  });
});
