import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ROOT } from "./support/cli.js";

const SCHEDULER = join(ROOT, "dist/lambda/scheduler.mjs");

/** What the Lambda runtime logs for a thrown error: its `name` becomes errorType, so it must be the real class. */
describe("the built Lambda handler fails with real error names", () => {
  const saved = { ...process.env };
  let lines: string[];

  beforeAll(() => {
    expect(existsSync(SCHEDULER), "dist/lambda/scheduler.mjs is missing: run `npm run build`").toBe(true);
    lines = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  });

  afterAll(() => {
    vi.restoreAllMocks();
    process.env = saved;
  });

  it("a config with a pasted secret: ConfigError (not a minified name), CONFIG_INVALID with its line, the secret never logged", async () => {
    const pasted = "Zq8Wm3LrTx5Yp2NcVb7Kd4Hs9Jf6Gt1Q";
    Object.assign(process.env, {
      CERTRELAY_CONFIG_YAML: `certificates:\n  - name: www\n    secret: certrelay/www\n    targets:\n      - { provider: cdn, endpoint: "https://cdn.example", credentials: ${pasted} }\n`,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    });
    const { handler } = (await import(pathToFileURL(SCHEDULER).href)) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const thrown = await handler({}, { getRemainingTimeInMillis: () => 600_000, awsRequestId: "req-1" }).then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(thrown?.name).toBe("ConfigError");
    expect(thrown?.code).toBe("CONFIG_INVALID");
    expect(thrown?.message).toContain("certificates[0].targets[0].credentials: looks like a pasted secret");
    expect(thrown?.message).toContain("(line 5)");
    const logged = lines.join("");
    expect(logged).toContain('"errorCode":"CONFIG_INVALID"');
    // the run's own log line names the class too, so one log query finds it by errorType as Lambda records it
    expect(logged).toContain('"errorType":"ConfigError"');
    expect(logged).not.toContain(pasted);
    expect(thrown?.message).not.toContain(pasted);
  });
});
