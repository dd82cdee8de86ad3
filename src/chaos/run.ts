/**
 * The chaos run: rounds of runPipeline against the vendor sandboxes while faults are armed, tokens expire, the
 * CDN edge stalls and the process "crashes" between steps; then clean rounds; then the invariants. Shared by
 * `npm run chaos` (bench/chaos.ts) and test/chaos-small.test.ts.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import type { Fault } from "../sandbox/faults.js";
import { DAY_MS, type Sleep } from "../model.js";
import { renewalWindow, runPipeline, type RunSummary, type Stage } from "../pipeline/index.js";
import type { ProviderContext } from "../providers/context.js";
import { StoreBackedProviders } from "../providers/registry.js";
import type { SandboxServer } from "../sandbox/server.js";
import { certFacts, normalizeSerial } from "../x509/index.js";
import { CrashGate, SimulatedCrash } from "./crash.js";
import { CapturingLogger } from "./log.js";
import { pick, seededRandom } from "./random.js";
import { CHAOS_SPAN_DAYS, startChaosWorld, type ChaosWorld } from "./world.js";

export interface ChaosOptions {
  certificates: number;
  rounds: number;
  seed: number;
  /** clean rounds after the last faulty one (default 2) */
  cleanRounds?: number;
  /** chance that a faulty round renews every certificate whether due or not (`--force`), default 0.4 */
  forceProbability?: number;
  /** chance that a faulty round crashes at one of its checkpoints (default 0.5) */
  crashProbability?: number;
  /** pipeline concurrency; 1 keeps the request order, hence the run, deterministic (default 1) */
  concurrency?: number;
  /** instant by default: retries and polls never make the run wait */
  sleep?: Sleep;
}

export interface ChaosResult {
  rounds: number;
  rotations: number;
  crashes: number;
  retries: number;
  failuresSurfaced: number;
  faults: Record<string, number>;
  issued: number;
  distinctRenewals: number;
  logLines: number;
  violations: string[];
}

/** One round's faults for one sandbox, drawn from the seeded random. */
function armFaults(server: SandboxServer, random: () => number): void {
  const kinds: Fault[] = [
    { kind: "status", status: 503 },
    { kind: "status", status: 500 },
    { kind: "status", status: 502 },
    { kind: "status", status: 429, retryAfterSeconds: 1 },
    { kind: "drop" },
    { kind: "latency", ms: 3 },
  ];
  const rules = 1 + Math.floor(random() * 3);
  for (let i = 0; i < rules; i += 1) {
    server.faults.add({ fault: pick(random, kinds), probability: 0.05 + random() * 0.2, times: 1 + Math.floor(random() * 4) });
  }
}

/** Tally each fault a sandbox hands out by what the client sees: 5xx, 429, dropped connection, latency. */
function countHttpFaults(servers: SandboxServer[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const server of servers) {
    const take = server.faults.take.bind(server.faults);
    server.faults.take = (method: string, pathname: string) => {
      const fault = take(method, pathname);
      if (fault) {
        const kind = fault.kind === "status" ? (fault.status === 429 ? "429" : "5xx") : fault.kind;
        tally[kind] = (tally[kind] ?? 0) + 1;
      }
      return fault;
    };
  }
  return tally;
}

interface Ledger {
  /** every serial certrelay ever held in the store (current or pending), with its expiry */
  notAfter: Map<string, number>;
  /** serials that were ever the store's current version, per certificate */
  everCurrent: Map<string, Set<string>>;
  /** a line from the body of every private key seen, to find a key quoted in a log line */
  keyFragments: Set<string>;
}

function keyFragment(privateKey: string): string | undefined {
  return privateKey.split("\n").find((line) => /^[A-Za-z0-9+/]{40,}$/.test(line.trim()))?.trim();
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const random = seededRandom(options.seed);
  const world = await startChaosWorld({ certificates: options.certificates, random, concurrency: options.concurrency ?? 1 });
  const logger = new CapturingLogger();
  const violations: string[] = [];
  const ledger: Ledger = { notAfter: new Map(), everCurrent: new Map(world.certificates.map((c) => [c.name, new Set<string>()])), keyFragments: new Set() };
  const ctx: ProviderContext = {
    clock: world.clock.now,
    sleep: options.sleep ?? (async () => {}),
    logger,
    ca: world.ca.rootPem,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 },
    timeoutMs: 5_000,
    poll: { intervalMs: 1, maxWaitMs: 20 },
  };
  const servers: SandboxServer[] = [world.enos, world.cdn, world.yeastar, world.yeastar2, world.reseller];
  const tally = countHttpFaults(servers);
  let crashes = 0;
  let failuresSurfaced = 0;
  const reportLines: string[] = [];

  const oneRun = async (chaos: boolean, round: string, force = false): Promise<RunSummary | undefined> => {
    const gate = new CrashGate(world.store);
    // a crashing round dies at its n-th checkpoint; a round with fewer checkpoints than that simply completes
    const crashAt = chaos && random() < (options.crashProbability ?? 0.5) ? 1 + Math.floor(random() * 3 * world.certificates.length) : Number.POSITIVE_INFINITY;
    let checkpoints = 0;
    const checkpoint = (stage: Stage): void => {
      if (chaos && random() < 0.1) {
        // tokens expire between steps, as they would in a long run
        world.enos.expireTokens();
        for (const pbx of [world.yeastar, world.yeastar2]) {
          if (random() < 0.5) pbx.expireTokens();
          else pbx.revokeTokens();
        }
      }
      if (gate.isCrashed) throw new SimulatedCrash(stage);
      checkpoints += 1;
      if (checkpoints === crashAt) {
        gate.crash();
        throw new SimulatedCrash(stage);
      }
    };
    const deps = {
      store: gate,
      providers: new StoreBackedProviders(world.store, ctx),
      clock: world.clock.now,
      logger,
      dryRun: false,
      force,
      checkpoint: (stage: Stage) => {
        try {
          checkpoint(stage);
        } catch (error) {
          gate.rotationEnded();
          throw error;
        }
      },
    };
    try {
      const summary = await runPipeline(world.config, deps, {
        onProgress: (r) => {
          gate.rotationEnded();
          reportLines.push(JSON.stringify({ round, name: r.name, action: r.action, error: r.error, targets: r.targets }));
          // failures the dead process reports about itself are the crash, not something the pipeline surfaced
          if (r.action === "failed" && !gate.isCrashed) failuresSurfaced += 1;
        },
      });
      return summary;
    } catch (error) {
      if (!(error instanceof Error && (error.name === "CheckpointInterrupt" || error.cause instanceof SimulatedCrash))) throw error;
      crashes += 1;
      gate.crash();
      if (!(await gate.settled())) violations.push(`${round}: rotations still running 30 s after the simulated crash`);
      return undefined;
    }
  };

  try {
    // setup: every certificate issued and deployed once, no faults
    const setup = await oneRun(false, "setup");
    if (!setup?.ok) violations.push(`setup: the first clean run failed: ${JSON.stringify(setup?.reports.filter((r) => r.action === "failed").map((r) => r.error))}`);
    await observe(world, ledger, violations, "setup");

    for (let round = 1; round <= options.rounds; round += 1) {
      // the whole run spans CHAOS_SPAN_DAYS, so certificates come due (60 days in) during the faulty rounds
      world.clock.advance(Math.floor((CHAOS_SPAN_DAYS * DAY_MS) / options.rounds));
      for (const server of servers) armFaults(server, random);
      if (random() < 0.25) world.cdn.stallEdge(true);
      // a vendor-level refusal (EnOS "Call ca error!") rather than an HTTP one
      if (random() < 0.3) {
        world.enos.failCa(1);
        tally["enos ca-error"] = (tally["enos ca-error"] ?? 0) + 1;
      }
      // reseller: domain validation that never finishes this round, and a purchase whose answer is lost
      if (random() < 0.25) {
        world.reseller.dcvMode = "stuck";
        tally["reseller dcv-stall"] = (tally["reseller dcv-stall"] ?? 0) + 1;
      }
      if (random() < 0.3) {
        world.reseller.dropAfterProcessing({ method: "POST", path: /^\/ssl-certificate(\/[^/]+\/renew)?$/, times: 1 });
        tally["reseller drop-after-purchase"] = (tally["reseller drop-after-purchase"] ?? 0) + 1;
      }
      await oneRun(true, `round ${round}`, random() < (options.forceProbability ?? 0.4));
      for (const server of servers) server.faults.clear();
      world.cdn.stallEdge(false);
      world.reseller.dcvMode = "auto";
      await observe(world, ledger, violations, `round ${round}`);
    }

    let last: RunSummary | undefined;
    for (let clean = 1; clean <= (options.cleanRounds ?? 2); clean += 1) {
      last = await oneRun(false, `clean ${clean}`);
      await observe(world, ledger, violations, `clean ${clean}`);
    }
    if (!last?.ok) {
      violations.push(`final clean run did not succeed: ${JSON.stringify(last?.reports.filter((r) => r.action !== "none" && r.action !== "renewed" && r.action !== "deployed").map((r) => ({ name: r.name, action: r.action, error: r.error })))}`);
    }
    const { issued, distinctRenewals } = await finalChecks(world, ledger, violations);
    checkSecrets(world, ledger, [...logger.lines, ...reportLines], violations);

    // the sandboxes count HTTP faults as one "status" kind; the chaos run's own tally splits 5xx from 429
    const faults: Record<string, number> = { ...tally };
    for (const server of servers) {
      for (const [kind, n] of Object.entries(server.stats().faults)) {
        // status/drop/latency are in the tally already (the reseller's process-then-drop counts as "drop" there)
        if (kind !== "status" && kind !== "drop" && kind !== "latency") faults[kind] = (faults[kind] ?? 0) + n;
      }
    }
    return {
      rounds: options.rounds,
      // promoted versions beyond each certificate's first: renewals whose run crashed after promote count too
      rotations: distinctRenewals - world.certificates.length,
      crashes,
      retries: logger.retries,
      failuresSurfaced,
      faults,
      issued,
      distinctRenewals,
      logLines: logger.lines.length,
      // free ports differ run to run; the same seed must read the same
      violations: violations.map((v) => v.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")),
    };
  } finally {
    await world.stop();
  }
}

/** What every target holds right now, checked against what the store has had. */
async function observe(world: ChaosWorld, ledger: Ledger, violations: string[], round: string): Promise<void> {
  const now = world.clock.now().getTime();
  for (const c of world.certificates) {
    const current = await world.store.getCurrent(c.secret);
    const pending = await world.store.getPending(c.secret);
    if (current) {
      const facts = certFacts(current.certificate);
      ledger.notAfter.set(facts.serial, facts.notAfter.getTime());
      ledger.everCurrent.get(c.name)?.add(facts.serial);
      const fragment = keyFragment(current.privateKey);
      if (fragment) ledger.keyFragments.add(fragment);
    }
    if (pending) {
      const fragment = keyFragment(pending.privateKey);
      if (fragment) ledger.keyFragments.add(fragment);
    }
    if (pending?.certificate) {
      const facts = certFacts(pending.certificate);
      ledger.notAfter.set(facts.serial, facts.notAfter.getTime());
    }
    for (const { target, serial: held, certificate } of heldSerials(world, c)) {
      if (held === undefined) continue;
      // EnOS binds a certificate to the device when it issues it: a run that died right after the CA answered
      // leaves the device holding a certificate for the pending key that the store has not recorded yet
      if (!ledger.notAfter.has(held) && certificate && pending && sameKey(certificate, pending.privateKey)) {
        ledger.notAfter.set(held, certFacts(certificate).notAfter.getTime());
      }
      const notAfter = ledger.notAfter.get(held);
      if (notAfter === undefined) {
        violations.push(`${round}: ${target} holds ${held} for ${c.name}, a certificate certrelay never had`);
      } else if (notAfter <= now && !ledger.everCurrent.get(c.name)?.has(held) && !target.startsWith("enos ")) {
        // (EnOS binds a certificate at issuance, so a device may hold one that expired while its renewal was pending)
        violations.push(`${round}: ${target} holds expired ${held} for ${c.name}, which was never the store's current version`);
      }
    }
  }
}

function sameKey(certificatePem: string, privateKeyPem: string): boolean {
  try {
    const a = new X509Certificate(certificatePem).publicKey.export({ type: "spki", format: "der" });
    const b = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "der" });
    return a.equals(b);
  } catch {
    return false;
  }
}

interface Held {
  target: string;
  serial: string | undefined;
  /** the PEM, where the sandbox keeps it */
  certificate?: string;
}

/** Serial each target of a certificate holds, read from the sandboxes' own state (not through certrelay). */
function heldSerials(world: ChaosWorld, c: ChaosWorld["certificates"][number]): Held[] {
  const held: Held[] = [];
  if (c.onCdn) {
    const served = world.cdn.servedRecord(c.host);
    held.push({ target: `cdn ${c.host}`, serial: served ? normalizeSerial(served.serialHex) : undefined });
  }
  if (c.pbx) {
    const inUse = (c.pbx === "pbx" ? world.yeastar : world.yeastar2).inUse();
    held.push({ target: c.pbx, serial: inUse ? normalizeSerial(inUse.serial) : undefined });
  }
  if (c.issuer === "enos") {
    const device = world.enos.certificatesOf(c.assetId).find((r) => r.certStatus === 0);
    held.push({ target: `enos ${c.assetId}`, serial: device ? certFacts(device.cert).serial : undefined, ...(device ? { certificate: device.cert } : {}) });
  }
  return held;
}

async function finalChecks(world: ChaosWorld, ledger: Ledger, violations: string[]): Promise<{ issued: number; distinctRenewals: number }> {
  let issued = 0;
  let distinctRenewals = 0;
  let resellerPromoted = 0;
  for (const c of world.certificates) {
    const current = await world.store.getCurrent(c.secret);
    const pending = await world.store.getPending(c.secret);
    if (!current) {
      violations.push(`${c.name}: no current certificate in the store`);
      continue;
    }
    // A renewal left waiting because its certificate is not due (a forced run failed) is allowed: completing it
    // would buy early. One that is due, or holds an order or a certificate, should have finished: it is jammed.
    const due = renewalWindow(certFacts(current.certificate), world.clock.now(), 30).due;
    if (pending && (due || pending.orderId || pending.certificate)) {
      violations.push(`${c.name}: a renewal is still pending after the clean rounds (${pending.lastError?.code ?? "no error recorded"})`);
    }
    const serial = certFacts(current.certificate).serial;
    for (const { target, serial: held } of heldSerials(world, c)) {
      if (held !== serial) violations.push(`${c.name}: ${target} holds ${held ?? "nothing"}, the store's current is ${serial}`);
    }
    const promoted = ledger.everCurrent.get(c.name) ?? new Set<string>();
    distinctRenewals += promoted.size;
    if (c.issuer === "reseller") {
      resellerPromoted += promoted.size;
      continue;
    }
    // a certificate bought while an earlier one for the same renewal was still usable is a double purchase;
    // one that expired unused (its renewal could not finish in time) is waste, not a double buy
    const deviceCerts = [...world.enos.certificatesOf(c.assetId)].sort((a, b) => a.signDate - b.signDate);
    deviceCerts.forEach((record, index) => {
      const serial = certFacts(record.cert).serial;
      const later = deviceCerts[index + 1];
      if (!promoted.has(serial) && later && later.signDate < record.expireDate) {
        violations.push(`${c.name}: EnOS issued ${certFacts(later.cert).serial} while ${serial}, never promoted, was still valid (bought twice)`);
      }
    });
    issued += deviceCerts.length;
  }
  // reseller certificates live a year, far past the run: every purchase must have become a promoted version
  issued += world.reseller.purchases;
  if (world.reseller.purchases !== resellerPromoted) {
    violations.push(`reseller: ${world.reseller.purchases} purchases for ${resellerPromoted} promoted versions (no double buying allowed)`);
  }
  return { issued, distinctRenewals };
}

function checkSecrets(world: ChaosWorld, ledger: Ledger, lines: string[], violations: string[]): void {
  const secrets = [...world.credentialValues.filter((s) => s.length >= 8), ...ledger.keyFragments];
  let leaks = 0;
  for (const line of lines) {
    if (/PRIVATE KEY/.test(line) || secrets.some((s) => line.includes(s)) || /access_token=(?!\*|%5B|\[)[^&"\s]{6,}/.test(line) || /"(accessToken|password|appSecret|accessKeySecret)":"[^"*[]/.test(line)) {
      leaks += 1;
      if (leaks <= 3) violations.push(`secret in a log line: ${line.slice(0, 120).replace(/[A-Za-z0-9+/=]{24,}/g, "…")}`);
    }
  }
}
