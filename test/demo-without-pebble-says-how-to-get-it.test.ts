import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "../src/cli/output.js";
import { runDemo } from "../src/demo/run.js";

describe("npm start on a machine without Pebble", () => {
  const path = process.env.PATH;
  beforeAll(() => {
    // a PATH with no pebble on it (node itself is not looked up: this process is already running)
    process.env.PATH = "/nonexistent-certrelay-test-path";
  });
  afterAll(() => {
    process.env.PATH = path;
  });

  it("still runs the vendor tour, and says how to install Pebble for the ACME part", async () => {
    const io = bufferIo();
    const code = await runDemo({ io });
    const out = io.stdout.join("\n");
    expect(code, out).toBe(0);
    expect(out).toContain("4 certificates: 3 renewed, 1 unchanged");
    expect(out).toContain(
      "skipped: Pebble is not on PATH; install Let's Encrypt's Pebble test CA: `apt-get install -y pebble`",
    );
    expect(out).not.toContain("shop.example.com");
  });
});
