import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import { certrelay, certrelayIntoClosedPipe } from "./support/cli.js";

// `certrelay --help | head -1`: once head has its line and exits, the CLI's next write fails with EPIPE. A Unix tool
// ends quietly then; the CLI used to crash with "Unhandled 'error' event", a minified stack trace and exit 1.
describe("a closed stdout ends the CLI quietly", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "certrelay-epipe-"));
    const ca = await TestCA.create({ name: "Epipe Test" });
    const material = await ca.issue({ commonName: "www.example.com", days: 90 });
    await writeFile(join(dir, "good.pem"), material.certificate + material.chain);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("certrelay --help | head -1: exit 0, nothing on stderr", async () => {
    const run = await certrelayIntoClosedPipe(["--help"]);
    expect(run).toEqual({ code: 0, signal: null, stderr: "" });
  });

  it("certrelay inspect good.pem | head -1: exit 0, nothing on stderr", async () => {
    const run = await certrelayIntoClosedPipe(["inspect", join(dir, "good.pem")]);
    expect(run).toEqual({ code: 0, signal: null, stderr: "" });
    // the same command with a reader still prints its report (the pipe, not the command, was the problem)
    const read = await certrelay(["inspect", join(dir, "good.pem")]);
    expect(read.code).toBe(0);
    expect(read.stdout).toContain("CN=www.example.com");
  });
});
