import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { handler } from "../lambda/scheduler.js";

/** A port nobody listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

// The Lambda's user configures it through its environment, so an unreachable Secrets Manager names the variables
// they set (AWS_ENDPOINT_URL, AWS_REGION), not the CLI's --aws-endpoint flag they have no way to pass.
describe("scheduler entry: an unreachable Secrets Manager", () => {
  const saved = { ...process.env };
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
  });
  afterAll(() => {
    process.env = saved;
  });

  it("fails the certificate with STORE_ERROR whose hint names AWS_ENDPOINT_URL and AWS_REGION", async () => {
    process.env = {
      ...saved,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test-secret-Zq9",
      CERTRELAY_CONFIG_YAML: [
        "certificates:",
        "  - name: www",
        "    secret: certrelay/www",
        "    targets:",
        "      - { provider: cdn, endpoint: 'https://cdn.example', credentials: certrelay/cdn }",
      ].join("\n"),
    };
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      output.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
    let result;
    try {
      result = await handler(
        { "detail-type": "Scheduled Event" },
        { getRemainingTimeInMillis: () => 800_000, awsRequestId: "req-unreachable" },
      );
    } finally {
      write.mockRestore();
    }

    expect(result.counts).toMatchObject({ failed: 1 });
    const hint = "check AWS_ENDPOINT_URL and AWS_REGION, and that the service (or moto_server) is running";
    expect(result.outcomes[0]?.error).toMatchObject({
      code: "STORE_ERROR",
      message: expect.stringContaining(`secret 'certrelay/www': Error: the Secrets Manager endpoint is unreachable`),
    });
    expect(result.outcomes[0]?.error?.message).toContain(hint);
    const logged = output
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.certificate === "www" && l.errorCode === "STORE_ERROR");
    expect(String(logged?.error)).toContain(hint);
    expect(output.join("")).not.toContain("--aws-endpoint");
    expect(output.join("")).not.toContain("test-secret-Zq9");
  });
});
