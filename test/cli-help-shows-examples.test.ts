import { describe, expect, it } from "vitest";
import { certrelay } from "./support/cli.js";

describe("certrelay --help", () => {
  const commands = [[], ["inspect"], ["check"], ["deploy"], ["renew"], ["csr"], ["sandbox"]];

  it("exits 0 and shows usage with an example for every command", async () => {
    const runs = await Promise.all(commands.map((command) => certrelay([...command, "--help"])));
    runs.forEach((run, i) => {
      const name = commands[i]?.join(" ") || "certrelay";
      expect(run.code, `${name} --help`).toBe(0);
      expect(run.stdout, name).toContain("Usage: certrelay");
      expect(run.stdout, name).toContain("Example:");
      expect(run.stdout, name).toContain("$ certrelay");
    });
  });

  it("lists every command at the top level", async () => {
    const run = await certrelay(["--help"]);
    for (const command of ["inspect", "check", "deploy", "renew", "csr", "sandbox"])
      expect(run.stdout).toContain(command);
  });
});
