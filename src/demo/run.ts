/**
 * The `npm start` tour: a demo world on loopback, what it looks like before, one pipeline run (the same one the
 * Lambda and `certrelay renew` run), a TLS handshake with the CDN edge to show the new certificate is really
 * served, and what it looks like after. No AWS, no network beyond 127.0.0.1, a few seconds.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { processIo, renderTable, shortSerial, type CliIo } from "../cli/output.js";
import { progressLine, summaryLine } from "../cli/report.js";
import { renewBeforeDaysFor } from "../config/index.js";
import { systemClock, type Clock } from "../model.js";
import { renewalWindow, runPipeline, type RunSummary } from "../pipeline/index.js";
import { StoreBackedProviders } from "../providers/registry.js";
import { certFacts } from "../x509/index.js";
import { acmeDemo } from "./acme.js";
import { createDemoWorld, type DemoWorld } from "./world.js";

export interface DemoOptions {
  io?: CliIo;
  clock?: Clock;
  /** keep the world here instead of a fresh temp dir (kept afterwards) */
  dir?: string;
}

interface TargetView {
  provider: string;
  serial?: string;
  ok: boolean;
}

interface CertificateView {
  name: string;
  lifetimeDays: number;
  daysLeft: number;
  thresholdDays: number;
  due: boolean;
  serial: string;
  targets: TargetView[];
}

/** What the store holds and what each target actually serves, read fresh (vendor reads only). */
async function snapshot(world: DemoWorld, clock: Clock): Promise<CertificateView[]> {
  const providers = new StoreBackedProviders(world.store, world.ctx);
  try {
    const views: CertificateView[] = [];
    for (const cert of world.config.certificates) {
      const current = await world.store.getCurrent(cert.secret);
      if (!current) continue;
      const facts = certFacts(current.certificate);
      const window = renewalWindow(facts, clock(), renewBeforeDaysFor(world.config, cert));
      const targets: TargetView[] = [];
      for (const target of await providers.targetsFor(cert)) {
        const verified = await target.verify(facts.serial).catch(() => ({ ok: false, servedSerial: undefined }));
        targets.push({
          provider: target.provider,
          ok: verified.ok,
          ...(verified.servedSerial ? { serial: verified.servedSerial } : {}),
        });
      }
      views.push({
        name: cert.name,
        lifetimeDays: Math.round((facts.notAfter.getTime() - facts.notBefore.getTime()) / 86_400_000),
        daysLeft: window.daysLeft,
        thresholdDays: window.thresholdDays,
        due: window.due,
        serial: facts.serial,
        targets,
      });
    }
    return views;
  } finally {
    await providers.close();
  }
}

function viewTable(views: CertificateView[], io: CliIo, before?: CertificateView[]): string {
  const c = io.colors;
  const rows = views.map((v) => {
    const old = before?.find((b) => b.name === v.name);
    const renewed = old !== undefined && old.serial !== v.serial;
    const state = before
      ? renewed
        ? c.green("renewed")
        : v.due
          ? c.red("still due")
          : c.dim("unchanged")
      : v.due
        ? c.yellow("DUE")
        : c.green("ok");
    const targets =
      v.targets.map((t) => `${t.provider}: ${shortSerial(t.serial)} ${t.ok ? c.green("✓") : c.red("✗")}`).join("\n") ||
      "-";
    return [
      v.name,
      `${v.lifetimeDays} d`,
      renewed && old ? `${old.daysLeft} -> ${v.daysLeft}` : v.daysLeft,
      `≤ ${v.thresholdDays} d`,
      state,
      renewed && old ? `${shortSerial(old.serial)} -> ${shortSerial(v.serial)}` : shortSerial(v.serial),
      targets,
    ];
  });
  return renderTable(
    [
      "certificate",
      "lifetime",
      "days left",
      "renew at",
      before ? "result" : "due?",
      "serial (store)",
      "served by target",
    ],
    rows,
    {
      align: ["left", "right", "right", "right", "left", "left", "left"],
    },
  );
}

/** A real TLS handshake with the CDN edge, trusting only the sandbox CA, as a browser would see the site. */
function edgeHandshake(
  address: string,
  serverName: string,
  ca: string,
): Promise<{ serial: string; trusted: boolean; error?: string }> {
  const at = address.lastIndexOf(":");
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: address.slice(0, at),
      port: Number(address.slice(at + 1)),
      servername: serverName,
      ca,
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => socket.destroy(new Error("no TLS handshake within 5 s")), 5_000);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const serial = (socket.getPeerCertificate().serialNumber ?? "").toUpperCase().replace(/^0+(?=.)/, "");
      const error = socket.authorizationError;
      socket.end();
      resolve({ serial, trusted: socket.authorized, ...(error ? { error: String(error) } : {}) });
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  const c = io.colors;
  const clock = options.clock ?? systemClock;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "certrelay-demo-")));
  const started = performance.now();
  io.out(
    c.bold("certrelay demo") +
      c.dim(" — four vendor sandboxes on 127.0.0.1, a local file store, nothing leaves this machine"),
  );
  const world = await createDemoWorld({ dir, clock }).catch(async (error: unknown) => {
    if (!options.dir) await rm(dir, { recursive: true, force: true });
    throw error;
  });
  let summary: RunSummary | undefined;
  let edgeOk = false;
  let acmeOk: boolean | undefined;
  try {
    const u = world.sandbox.urls;
    io.out(c.dim(`  yeastar ${u.yeastar}  enos ${u.enos}  cdn ${u.cdn} (edge ${u.edge})  reseller ${u.reseller}`));
    io.out(c.dim(`  config ${world.configPath}`));
    io.out("");
    io.out(c.bold("Before:") + " current certificates were issued in the past and are already deployed");
    const before = await snapshot(world, clock);
    io.out(viewTable(before, io));
    io.out("");

    io.out(c.bold("Running the pipeline") + c.dim(" (check -> renew -> deploy -> verify -> promote, per certificate)"));
    const providers = new StoreBackedProviders(world.store, world.ctx);
    const nameWidth = Math.max(...world.config.certificates.map((cert) => cert.name.length));
    summary = await runPipeline(
      world.config,
      { store: world.store, providers, clock, logger: world.ctx.logger, dryRun: false },
      { onProgress: (report, done, total) => io.out(progressLine(report, done, total, c, nameWidth)) },
    );
    io.out("");

    const www = world.config.certificates.find((cert) => cert.name === "www");
    const current = www ? await world.store.getCurrent(www.secret) : undefined;
    if (current) {
      const want = certFacts(current.certificate).serial;
      const served = await edgeHandshake(world.sandbox.urls.edge, "www.example.com", world.sandbox.ca.chainPem);
      edgeOk = served.trusted && served.serial === want;
      io.out(
        `${c.bold("TLS check:")} https://www.example.com via the CDN edge ${world.sandbox.urls.edge} serves serial ${shortSerial(served.serial, 20)} ` +
          (edgeOk
            ? c.green("(trusted chain, matches the store)")
            : c.red(`(expected ${want}${served.error ? `, ${served.error}` : ""})`)),
      );
      io.out("");
    }

    io.out(c.bold("After:"));
    io.out(viewTable(await snapshot(world, clock), io, before));
    io.out("");
    io.out(`${summaryLine(summary, c)}${c.dim(` in ${((performance.now() - started) / 1000).toFixed(1)} s`)}`);
    io.out("");
    acmeOk = await acmeDemo(world, io, clock);
    io.out("");
    io.out(
      c.dim(
        "Next: `certrelay sandbox --demo-dir demo` keeps this world up for `certrelay check|renew` (see docs/cli.md).",
      ),
    );
  } finally {
    await world.stop();
    if (!options.dir) await rm(dir, { recursive: true, force: true });
  }
  return summary?.ok && edgeOk && acmeOk !== false ? 0 : 1;
}
