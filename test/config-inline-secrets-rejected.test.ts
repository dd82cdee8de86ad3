import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config/index.js";
import { withLine } from "./support/config-example.js";

async function rejection(text: string): Promise<ConfigError> {
  try {
    await parseConfig(text);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected the config to be rejected");
}

const pbxLine = "      - { provider: yeastar,";

describe("secrets pasted into certrelay.yml", () => {
  it("rejects a password key and does not echo it", async () => {
    const error = await rejection(
      withLine(
        pbxLine,
        `      - { provider: yeastar, endpoint: "https://pbx:8088", credentials: certrelay/pbx, password: "hunter2-MARKER" }`,
      ),
    );
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.problems).toEqual([
      {
        path: "certificates[0].targets[1].password",
        message: expect.stringMatching(/looks like an inline secret; keep secrets in the store.*username and password/),
        line: 12,
      },
    ]);
    expect(error.message).not.toContain("MARKER");
  });

  it("rejects inline credentials given as a mapping", async () => {
    const error = await rejection(
      withLine(
        pbxLine,
        `      - { provider: yeastar, endpoint: "https://pbx:8088", credentials: { username: api, secret: s-MARKER } }`,
      ),
    );
    expect(error.problems.map((p) => p.path)).toEqual(["certificates[0].targets[1].credentials"]);
    expect(error.message).toContain("must be a store secret id like certrelay/yeastar, not inline credentials");
    // the hint names the provider's real credential fields
    expect(error.message).toContain("the yeastar credentials secret holds username and password");
    expect(error.message).not.toContain("MARKER");
  });

  it("rejects PEM material anywhere in the file", async () => {
    const error = await rejection(
      withLine(
        "secret: certrelay/www",
        `    secret: "-----BEGIN PRIVATE KEY-----\\nMARKER\\n-----END PRIVATE KEY-----"`,
      ),
    );
    expect(error.problems.map((p) => p.path)).toContain("certificates[0].secret");
    expect(error.message).toContain("contains PEM material");
    expect(error.message).not.toContain("MARKER");
  });

  it("rejects a user name and password inside an endpoint URL", async () => {
    const error = await rejection(
      withLine(
        pbxLine,
        `      - { provider: yeastar, endpoint: "https://admin:pw-MARKER@pbx:8088", credentials: certrelay/pbx }`,
      ),
    );
    expect(error.problems).toEqual([
      {
        path: "certificates[0].targets[1].endpoint",
        message: "must not contain a user name or password; put them in the credentials secret",
        line: 12,
      },
    ]);
    expect(error.message).not.toContain("MARKER");
  });
});
