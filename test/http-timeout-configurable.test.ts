import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/index.js";
import { settingsFromEnv } from "../src/fleet/env.js";

const yaml = (extra: string) =>
  `${extra}certificates:\n  - name: www\n    secret: certrelay/www\n    targets:\n      - { provider: cdn, endpoint: "https://cdn.example.com", credentials: certrelay/cdn, verifyHost: www.example.com }\n`;

describe("vendor HTTP timeouts are configurable", () => {
  it("certrelay.yml httpTimeoutMs is read, and a value out of range is refused with its line", async () => {
    expect((await parseConfig(yaml("httpTimeoutMs: 45000\n"), "certrelay.yml")).httpTimeoutMs).toBe(45_000);
    expect((await parseConfig(yaml(""), "certrelay.yml")).httpTimeoutMs).toBeUndefined();
    await expect(parseConfig(yaml("httpTimeoutMs: 5\n"), "certrelay.yml")).rejects.toThrow(
      /httpTimeoutMs.*line 1|line 1.*httpTimeoutMs/s,
    );
  });

  it("the Lambda's HTTP_TIMEOUT_MS is a whole number of ms, named when wrong; unset leaves the config's", () => {
    expect(settingsFromEnv({ HTTP_TIMEOUT_MS: "2500" }).httpTimeoutMs).toBe(2_500);
    expect(settingsFromEnv({}).httpTimeoutMs).toBeUndefined();
    expect(() => settingsFromEnv({ HTTP_TIMEOUT_MS: "fast" })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", field: "HTTP_TIMEOUT_MS" }),
    );
  });
});
