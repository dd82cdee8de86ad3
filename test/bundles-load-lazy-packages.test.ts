import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "..");

/**
 * undici, acme-client, proper-lockfile, @peculiar/x509, yaml and @streamparser/json ship as files of their own beside each bundle (scripts/bundles.ts), and so
 * does the Route53 client in the Action and the CLI (the Lambda takes the AWS SDK from its runtime), so a start does
 * not parse them. If one were missing or lost its named exports, the first vendor request, ACME order or config read
 * of a user's run would fail, long after the start: check each bundle's `import("./lazy-…")` in plain node, as the runtimes load them.
 */
describe("the built bundles load the packages they import lazily", () => {
  // the Lambda handlers use no file store, and take the AWS SDK from the runtime
  const lambda = ["./lazy-acme-client", "./lazy-streamparser", "./lazy-undici", "./lazy-x509", "./lazy-yaml"];
  const bundled = [
    "./lazy-acme-client",
    "./lazy-proper-lockfile",
    "./lazy-route53",
    "./lazy-streamparser",
    "./lazy-undici",
    "./lazy-x509",
    "./lazy-yaml",
  ];
  const entries: [string, string[]][] = [
    ["dist/action/index.js", bundled],
    ["dist/lambda/scheduler.mjs", lambda],
    ["dist/lambda/worker.mjs", lambda],
    ["dist/cli/index.js", bundled],
  ];

  it.each(entries)(
    "%s: every lazily imported file is beside it and gives the names certrelay uses",
    async (entry, expected) => {
      const file = join(repo, entry);
      expect(existsSync(file), `${entry} is missing: run \`npm run build\``).toBe(true);
      const lazy = [
        ...new Set(
          [...readFileSync(file, "utf8").matchAll(/import\("(\.\/lazy-[a-z0-9-]+\.m?js)"\)/g)].map(
            (m) => m[1] as string,
          ),
        ),
      ].sort();
      expect(lazy.map((l) => l.replace(/\.m?js$/, ""))).toEqual(expected);
      const url = (name: string) =>
        pathToFileURL(join(dirname(file), lazy.find((l) => l.startsWith(`./lazy-${name}.`)) ?? `missing-${name}`)).href;
      const urls = ["acme-client", "undici", "x509", "yaml", "streamparser"].map(url);
      // what src/http/client.ts, src/providers/acme/client.ts and src/x509/csr.ts use from them: a CSR made by
      // acme-client's copy of @peculiar/x509 is read back by certrelay's (each needs reflect-metadata loaded); the
      // Route53 names src/dns/route53.ts uses, a client made without touching the network; a file store's lock taken
      // and released; a config document read with the yaml names src/config uses, a JSON array streamed element by
      // element as src/providers/cdn/json-array.ts does
      const route53 = expected.includes("./lazy-route53") ? url("route53") : "@aws-sdk/client-route-53";
      const lockfile = expected.includes("./lazy-proper-lockfile") ? url("proper-lockfile") : undefined;
      const dir = mkdtempSync(join(tmpdir(), "certrelay-lazy-"));
      const script = `const [a, u, x, y, s, r] = await Promise.all(${JSON.stringify([...urls, route53])}.map((u) => import(u)));
      const lockfile = ${JSON.stringify(lockfile ?? null)};
      if (lockfile) { const release = await (await import(lockfile)).lock(${JSON.stringify(join(dir, "secret.json"))}, { realpath: false, retries: 0 }); await release(); }
      const agent = new u.Agent(); await agent.close();
      const [, csr] = await a.crypto.createCsr({ commonName: "lazy.example.test" });
      const subject = new x.x509.Pkcs10CertificateRequest(csr.toString()).subject;
      const route53 = new r.Route53Client({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } }); route53.destroy();
      const commands = ["ListHostedZonesCommand", "ListResourceRecordSetsCommand", "ChangeResourceRecordSetsCommand", "GetChangeCommand"].map((n) => typeof r[n]);
      const lines = new y.LineCounter();
      const doc = y.parseDocument("a: &x [1]\\nb: *x\\n", { lineCounter: lines, uniqueKeys: false });
      const pair = doc.contents.items[1];
      const yaml = { map: y.isMap(doc.contents), pair: y.isPair(pair), alias: y.isAlias(pair.value), scalar: y.isScalar(pair.key), seq: y.isSeq(doc.contents.items[0].value), node: y.isNode(pair.key), line: lines.linePos(pair.key.range[0]).line, text: y.stringify({ b: [1] }) };
      const items = []; const parser = new s.JSONParser({ paths: ["$.*"], keepStack: false }); parser.onValue = ({ value }) => items.push(value); parser.write('[{"id":1},{"id":2}]');
      process.stdout.write(JSON.stringify({ Client: typeof a.Client, interceptors: typeof a.axios.interceptors, agent: agent instanceof u.Agent && typeof agent.dispatch, subject, route53: route53.config.serviceId, commands, yaml, items }));`;
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
        cwd: dirname(file),
        timeout: 30_000,
      }).finally(() => rmSync(dir, { recursive: true, force: true }));
      expect(JSON.parse(stdout)).toEqual({
        Client: "function",
        interceptors: "object",
        // the named export is the undici Agent class (its name is minified: the bundles keep no names)
        agent: "function",
        subject: "CN=lazy.example.test",
        route53: "Route 53",
        commands: ["function", "function", "function", "function"],
        yaml: { map: true, pair: true, alias: true, scalar: true, seq: true, node: true, line: 2, text: "b:\n  - 1\n" },
        items: [{ id: 1 }, { id: 2 }],
      });
    },
    60_000,
  );
});
