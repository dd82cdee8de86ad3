import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "..");

/**
 * undici, acme-client and @peculiar/x509 ship as files of their own beside each bundle (scripts/bundles.ts), so a start does not
 * parse them. If one were missing or lost its named exports, the first vendor request or ACME order of a user's run
 * would fail, long after the start: check each bundle's `import("./lazy-…")` in plain node, as the runtimes load them.
 */
describe("the built bundles load the packages they import lazily", () => {
  const entries = ["dist/action/index.js", "dist/lambda/scheduler.mjs", "dist/lambda/worker.mjs", "dist/cli/index.js"];

  it.each(entries)("%s: every lazily imported file is beside it and gives the names certrelay uses", async (entry) => {
    const file = join(repo, entry);
    expect(existsSync(file), `${entry} is missing: run \`npm run build\``).toBe(true);
    const lazy = [...new Set([...readFileSync(file, "utf8").matchAll(/import\("(\.\/lazy-[a-z0-9-]+\.m?js)"\)/g)].map((m) => m[1] as string))].sort();
    expect(lazy.map((l) => l.replace(/\.m?js$/, ""))).toEqual(["./lazy-acme-client", "./lazy-undici", "./lazy-x509"]);
    const urls = lazy.map((l) => pathToFileURL(join(dirname(file), l)).href);
    // what src/http/client.ts, src/providers/acme/client.ts and src/x509/csr.ts use from them: a CSR made by
    // acme-client's copy of @peculiar/x509 is read back by certrelay's (each needs reflect-metadata loaded)
    const script = `const [a, u, x] = await Promise.all(${JSON.stringify(urls)}.map((u) => import(u)));
      const agent = new u.Agent(); await agent.close();
      const [, csr] = await a.crypto.createCsr({ commonName: "lazy.example.test" });
      const subject = new x.x509.Pkcs10CertificateRequest(csr.toString()).subject;
      process.stdout.write(JSON.stringify({ Client: typeof a.Client, interceptors: typeof a.axios.interceptors, agent: agent.constructor.name, subject }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: dirname(file), timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ Client: "function", interceptors: "object", agent: "Agent", subject: "CN=lazy.example.test" });
  }, 60_000);
});
