/**
 * The chaos run: rounds of runPipeline against the vendor sandboxes while faults are armed, tokens expire, the
 * CDN edge stalls and the process "crashes" between steps; then clean rounds; then the invariants. Shared by
 * `npm run chaos` (bench/chaos.ts) and test/chaos-small.test.ts.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Fault } from "../sandbox/faults.js";
import { DAY_MS, type Sleep } from "../model.js";
import { renewalWindow, runPipeline, type RunSummary, type Stage } from "../pipeline/index.js";
import type { ProviderContext } from "../providers/context.js";
import { StoreBackedProviders } from "../providers/registry.js";
import type { SandboxServer } from "../sandbox/server.js";
import { certFacts, normalizeSerial } from "../x509/index.js";
import { lambdaDeadline } from "../deadline.js";
import { sessionAndDeadlineCounters } from "./counters.js";
import { DEFAULT_SETTINGS, type FleetDeps } from "../fleet/deps.js";
import type { LambdaContext, SqsEvent } from "../fleet/lambda-types.js";
import { runScheduler } from "../fleet/scheduler.js";
import { runWorker } from "../fleet/worker.js";
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
  /**
   * chance that a faulty round is concurrent (default 0): two or three runs at once on the same certificates,
   * drawn from a CLI-style pipeline run, the scheduler, the worker and the worker again with the same messages (a
   * duplicate SQS delivery), each of which may be killed. Concurrent rounds interleave requests, so a run with
   * them is not request-for-request reproducible from its seed; its invariants must hold all the same.
   */
  concurrentProbability?: number;
}

/**
 * What must stay zero, counted over the whole run (violations name each case). `leakedSessions` and
 * `deadlineOverruns` are hooks for the session and deadline checks: counted by `sessionAndDeadlineCounters` (counters.ts).
 */
export interface ChaosInvariants {
  /** a certificate bought while one bought for the same renewal was still usable, or reseller purchases > promotions */
  doublePurchases: number;
  /** a renewal still pending after the clean rounds although its certificate is due or it holds an order */
  jammedCertificates: number;
  /** a target serving an unexpired certificate whose private key is in none of the store's versions */
  foreignKeysServed: number;
  /** a private key found outside its own secret: another secret's file, a stray file, a log line */
  keysOutsideSecret: number;
  /** vendor sessions left open by finished or killed runs (hook) */
  leakedSessions: number;
  /** runs that ended past their deadline (hook) */
  deadlineOverruns: number;
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
  /** concurrent rounds run, and the runs that took part in them (by kind) */
  concurrentRounds: number;
  concurrentRuns: Record<string, number>;
  /** certificates a run left alone because another run held their lease */
  skippedInProgressElsewhere: number;
  invariants: ChaosInvariants;
  violations: string[];
}

/**
 * Hook for the counters this module cannot see (vendor sessions, deadlines): called once at the end with the world
 * and every captured line; what it returns is added to the invariants.
 */
export type ChaosCounterHook = (
  world: ChaosWorld,
  lines: readonly string[],
) => Partial<ChaosInvariants> | Promise<Partial<ChaosInvariants>>;
export const chaosCounterHooks: ChaosCounterHook[] = [sessionAndDeadlineCounters];

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
    server.faults.add({
      fault: pick(random, kinds),
      probability: 0.05 + random() * 0.2,
      times: 1 + Math.floor(random() * 4),
    });
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

/** Who takes part in a concurrent round: `worker-redelivered` gets the same messages as `worker` (at-least-once SQS). */
type Participant = "cli" | "scheduler" | "worker" | "worker-redelivered";

interface Ledger {
  /** every serial certrelay ever held in the store (current or pending), with its expiry */
  notAfter: Map<string, number>;
  /** serials that were ever the store's current version, per certificate */
  everCurrent: Map<string, Set<string>>;
  /** a line from the body of every private key seen, to find a key quoted in a log line */
  keyFragments: Set<string>;
  /** the PEM of every serial certrelay held, to check a served certificate's key is still in the store */
  pem: Map<string, string>;
}

function keyFragment(privateKey: string): string | undefined {
  return privateKey
    .split("\n")
    .find((line) => /^[A-Za-z0-9+/]{40,}$/.test(line.trim()))
    ?.trim();
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const random = seededRandom(options.seed);
  const world = await startChaosWorld({
    certificates: options.certificates,
    random,
    concurrency: options.concurrency ?? 1,
  });
  const logger = new CapturingLogger();
  const violations: string[] = [];
  const ledger: Ledger = {
    notAfter: new Map(),
    everCurrent: new Map(world.certificates.map((c) => [c.name, new Set<string>()])),
    keyFragments: new Set(),
    pem: new Map(),
  };
  const invariants: ChaosInvariants = {
    doublePurchases: 0,
    jammedCertificates: 0,
    foreignKeysServed: 0,
    keysOutsideSecret: 0,
    leakedSessions: 0,
    deadlineOverruns: 0,
  };
  const concurrentRuns: Record<string, number> = {};
  let concurrentRounds = 0;
  let skipped = 0;
  const fleetLines: string[] = [];
  // every promotion as it happens (the observation between rounds would miss one replaced within the same round)
  const recordPromotion = async (secretId: string): Promise<void> => {
    const c = world.certificates.find((x) => x.secret === secretId);
    const current = await world.store.getCurrent(secretId);
    if (!c || !current) return;
    const facts = certFacts(current.certificate);
    ledger.everCurrent.get(c.name)?.add(facts.serial);
    ledger.notAfter.set(facts.serial, facts.notAfter.getTime());
    ledger.pem.set(facts.serial, current.certificate);
  };
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
    const gate = new CrashGate(world.store, recordPromotion);
    // a crashing round dies at its n-th checkpoint; a round with fewer checkpoints than that simply completes
    const crashAt =
      chaos && random() < (options.crashProbability ?? 0.5)
        ? 1 + Math.floor(random() * 3 * world.certificates.length)
        : Number.POSITIVE_INFINITY;
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
          reportLines.push(
            JSON.stringify({ round, name: r.name, action: r.action, error: r.error, targets: r.targets }),
          );
          // failures the dead process reports about itself are the crash, not something the pipeline surfaced
          if (r.action === "failed" && !gate.isCrashed) failuresSurfaced += 1;
          if (r.action === "skipped") skipped += 1;
        },
      });
      return summary;
    } catch (error) {
      if (!(error instanceof Error && (error.name === "CheckpointInterrupt" || error.cause instanceof SimulatedCrash)))
        throw error;
      crashes += 1;
      gate.crash();
      if (!(await gate.settled())) violations.push(`${round}: rotations still running 30 s after the simulated crash`);
      return undefined;
    }
  };

  /**
   * One run of a concurrent round, by kind. Each has its own store gate and may be killed at one of its checkpoints;
   * a killed run's remaining vendor calls fail at once (its deadline is gone) and its store calls fail, as a dead
   * process's would, and the round waits until it has gone quiet.
   */
  const participant = async (kind: Participant, round: string, force: boolean, messages: SqsEvent): Promise<void> => {
    const gate = new CrashGate(world.store, recordPromotion);
    const crashAt =
      random() < (options.crashProbability ?? 0.5)
        ? 1 + Math.floor(random() * 2 * world.certificates.length)
        : Number.POSITIVE_INFINITY;
    let checkpoints = 0;
    let killed = false;
    const kill = (stage: Stage): never => {
      killed = true;
      gate.crash();
      throw new SimulatedCrash(stage);
    };
    const checkpoint = (stage: Stage): void => {
      if (gate.isCrashed) throw new SimulatedCrash(stage);
      checkpoints += 1;
      if (checkpoints === crashAt) kill(stage);
    };
    // the Lambda's clock: all of its time is gone the moment it is killed
    const context: LambdaContext = {
      getRemainingTimeInMillis: () => (killed ? 0 : 600_000),
      awsRequestId: `${round}-${kind}`,
    };
    const deadline = lambdaDeadline(context, 0);
    const fleet: FleetDeps = {
      loadConfig: async () => ({ config: world.config, source: "chaos world" }),
      store: gate,
      createProviders: (log, runDeadline) =>
        new StoreBackedProviders(world.store, { ...ctx, logger: log, deadline: runDeadline ?? deadline }),
      clock: world.clock.now,
      write: (line) => fleetLines.push(line),
      notifiers: [],
      settings: {
        ...DEFAULT_SETTINGS,
        fanoutThreshold: Number.MAX_SAFE_INTEGER,
        reserveMs: 0,
        workerConcurrency: options.concurrency ?? 1,
      },
      checkpoint,
      runId: () => `${round}-${kind}`,
    };
    concurrentRuns[kind] = (concurrentRuns[kind] ?? 0) + 1;
    try {
      if (kind === "cli") {
        await runPipeline(
          world.config,
          {
            store: gate,
            providers: new StoreBackedProviders(world.store, { ...ctx, deadline }),
            clock: world.clock.now,
            logger,
            dryRun: false,
            force,
            deadline,
            runId: `${round}-cli`,
            checkpoint,
          },
          {
            onProgress: (r) => {
              reportLines.push(JSON.stringify({ round, run: kind, name: r.name, action: r.action, error: r.error }));
              if (r.action === "failed" && !gate.isCrashed) failuresSurfaced += 1;
              if (r.action === "skipped") skipped += 1;
            },
          },
        );
      } else if (kind === "scheduler") {
        await runScheduler(fleet, context);
      } else {
        await runWorker(fleet, messages, context);
      }
    } catch (error) {
      if (
        !(
          error instanceof Error &&
          (error.name === "CheckpointInterrupt" || error.cause instanceof SimulatedCrash || killed)
        )
      )
        throw error;
      crashes += 1;
      gate.crash();
      killed = true;
    }
    if (killed && !(await gate.quiet()))
      violations.push(`${round}: the killed ${kind} run still wrote 30 s after it died`);
  };

  /** Two or three runs at once on the same certificates (see ChaosOptions.concurrentProbability). */
  const concurrentRound = async (round: string, force: boolean): Promise<void> => {
    concurrentRounds += 1;
    const pool: Participant[] = ["cli", "scheduler", "worker", "worker-redelivered"];
    for (let i = pool.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j] as Participant, pool[i] as Participant];
    }
    const kinds = pool.slice(0, random() < 0.5 ? 2 : 3);
    // the queue as the worker sees it: every certificate, some delivered twice within the batch
    const names = world.certificates.map((c) => c.name);
    const records = names.flatMap((name, i) => [
      {
        messageId: `${round}-m${i}`,
        receiptHandle: `${round}-r${i}`,
        body: JSON.stringify({ name, dedupeId: `${round}:${name}` }),
        eventSource: "aws:sqs",
      },
    ]);
    const duplicated = records.filter(() => random() < 0.3).map((r) => ({ ...r, messageId: `${r.messageId}-again` }));
    const event: SqsEvent = { Records: [...records, ...duplicated] };
    await Promise.all(kinds.map((kind) => participant(kind, round, force, event)));
  };

  try {
    // setup: every certificate issued and deployed once, no faults
    const setup = await oneRun(false, "setup");
    if (!setup?.ok)
      violations.push(
        `setup: the first clean run failed: ${JSON.stringify(setup?.reports.filter((r) => r.action === "failed").map((r) => r.error))}`,
      );
    await observe(world, ledger, violations, "setup", invariants);

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
      const force = random() < (options.forceProbability ?? 0.4);
      const concurrent = (options.concurrentProbability ?? 0) > 0 && random() < (options.concurrentProbability ?? 0);
      if (concurrent) await concurrentRound(`round ${round}`, force);
      else await oneRun(true, `round ${round}`, force);
      for (const server of servers) server.faults.clear();
      world.cdn.stallEdge(false);
      world.reseller.dcvMode = "auto";
      await observe(world, ledger, violations, `round ${round}`, invariants);
    }

    let last: RunSummary | undefined;
    for (let clean = 1; clean <= (options.cleanRounds ?? 2); clean += 1) {
      last = await oneRun(false, `clean ${clean}`);
      await observe(world, ledger, violations, `clean ${clean}`, invariants);
    }
    if (!last?.ok) {
      violations.push(
        `final clean run did not succeed: ${JSON.stringify(last?.reports.filter((r) => r.action !== "none" && r.action !== "renewed" && r.action !== "deployed").map((r) => ({ name: r.name, action: r.action, error: r.error })))}`,
      );
    }
    const { issued, distinctRenewals } = await finalChecks(world, ledger, violations, invariants);
    const lines = [...logger.lines, ...reportLines, ...fleetLines];
    invariants.keysOutsideSecret +=
      checkSecrets(world, ledger, lines, violations) + (await keysOutsideTheirSecret(world, violations));
    for (const hook of chaosCounterHooks) {
      for (const [name, n] of Object.entries(await hook(world, lines)))
        invariants[name as keyof ChaosInvariants] += n ?? 0;
    }

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
      logLines: logger.lines.length + fleetLines.length,
      concurrentRounds,
      concurrentRuns,
      skippedInProgressElsewhere: skipped + fleetLines.filter((l) => l.includes('"action":"skipped"')).length,
      invariants,
      // free ports differ run to run; the same seed must read the same
      violations: violations.map((v) => v.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")),
    };
  } finally {
    await world.stop();
  }
}

/** What every target holds right now, checked against what the store has had. */
async function observe(
  world: ChaosWorld,
  ledger: Ledger,
  violations: string[],
  round: string,
  invariants: ChaosInvariants,
): Promise<void> {
  const now = world.clock.now().getTime();
  for (const c of world.certificates) {
    const current = await world.store.getCurrent(c.secret);
    const pending = await world.store.getPending(c.secret);
    if (current) {
      const facts = certFacts(current.certificate);
      ledger.notAfter.set(facts.serial, facts.notAfter.getTime());
      ledger.pem.set(facts.serial, current.certificate);
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
      ledger.pem.set(facts.serial, pending.certificate);
    }
    // every private key the store holds for this certificate now (current, previous, pending)
    const storedKeys = [current?.privateKey, pending?.privateKey, await previousKey(world, c.secret)].filter(
      (k): k is string => k !== undefined,
    );
    for (const { target, serial: held, certificate } of heldSerials(world, c)) {
      if (held === undefined) continue;
      if (certificate && !ledger.pem.has(held)) ledger.pem.set(held, certificate);
      const servedPem = ledger.pem.get(held) ?? certificate;
      // a target must never serve a (still valid) certificate whose key the store has lost: no run could renew or
      // re-deploy it. EnOS devices are excluded: they hold what their CA bound at issuance.
      if (
        !target.startsWith("enos ") &&
        servedPem &&
        certFacts(servedPem).notAfter.getTime() > now &&
        !storedKeys.some((k) => sameKey(servedPem, k))
      ) {
        invariants.foreignKeysServed += 1;
        violations.push(
          `${round}: ${target} serves ${held} for ${c.name}, whose private key is in none of the store's versions`,
        );
      }
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
        violations.push(
          `${round}: ${target} holds expired ${held} for ${c.name}, which was never the store's current version`,
        );
      }
    }
  }
}

/** The file store's AWSPREVIOUS counterpart, read behind the store's back. */
async function previousKey(world: ChaosWorld, secretId: string): Promise<string | undefined> {
  try {
    const file = JSON.parse(await readFile(world.store.pathFor(secretId), "utf8")) as {
      previous?: { privateKey?: unknown };
    };
    return typeof file.previous?.privateKey === "string" ? file.previous.privateKey : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Private keys outside their own secret: a key in a file that is not a secret (a temp file a killed run left), or in
 * the file of another certificate's secret. (Log lines are checked by checkSecrets.)
 */
async function keysOutsideTheirSecret(world: ChaosWorld, violations: string[]): Promise<number> {
  let found = 0;
  const owners = new Map<string, string>();
  const files = await readdir(world.storeDir, { withFileTypes: true }).catch(() => []);
  for (const entry of files) {
    if (!entry.isFile()) continue;
    const text = await readFile(join(world.storeDir, entry.name), "utf8").catch(() => "");
    if (!text.includes("PRIVATE KEY")) continue;
    if (!entry.name.endsWith(".json") || entry.name.startsWith(".")) {
      found += 1;
      violations.push(`a private key sits in ${entry.name}, which is not a secret of the store`);
      continue;
    }
    const keys = new Set(
      [...text.matchAll(/-----BEGIN [A-Z ]*PRIVATE KEY-----(?:\\n|\n)([A-Za-z0-9+/]{40,})/g)].map((m) => m[1] ?? ""),
    );
    for (const key of keys) {
      const owner = owners.get(key);
      if (owner !== undefined && owner !== entry.name) {
        found += 1;
        violations.push(`one private key is in both ${owner} and ${entry.name}`);
      }
      owners.set(key, entry.name);
    }
  }
  return found;
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
    held.push({
      target: `cdn ${c.host}`,
      serial: served ? normalizeSerial(served.serialHex) : undefined,
      ...(served?.material ? { certificate: served.material.certificate } : {}),
    });
  }
  if (c.pbx) {
    const inUse = (c.pbx === "pbx" ? world.yeastar : world.yeastar2).inUse();
    held.push({ target: c.pbx, serial: inUse ? normalizeSerial(inUse.serial) : undefined });
  }
  if (c.issuer === "enos") {
    const device = world.enos.certificatesOf(c.assetId).find((r) => r.certStatus === 0);
    held.push({
      target: `enos ${c.assetId}`,
      serial: device ? certFacts(device.cert).serial : undefined,
      ...(device ? { certificate: device.cert } : {}),
    });
  }
  return held;
}

async function finalChecks(
  world: ChaosWorld,
  ledger: Ledger,
  violations: string[],
  invariants: ChaosInvariants,
): Promise<{ issued: number; distinctRenewals: number }> {
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
      invariants.jammedCertificates += 1;
      violations.push(
        `${c.name}: a renewal is still pending after the clean rounds (${pending.lastError?.code ?? "no error recorded"})`,
      );
    }
    const serial = certFacts(current.certificate).serial;
    for (const { target, serial: held } of heldSerials(world, c)) {
      if (held !== serial)
        violations.push(`${c.name}: ${target} holds ${held ?? "nothing"}, the store's current is ${serial}`);
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
        invariants.doublePurchases += 1;
        violations.push(
          `${c.name}: EnOS issued ${certFacts(later.cert).serial} while ${serial}, never promoted, was still valid (bought twice)`,
        );
      }
    });
    issued += deviceCerts.length;
  }
  // reseller certificates live a year, far past the run: every purchase must have become a promoted version
  issued += world.reseller.purchases;
  if (world.reseller.purchases !== resellerPromoted) {
    invariants.doublePurchases += Math.abs(world.reseller.purchases - resellerPromoted);
    violations.push(
      `reseller: ${world.reseller.purchases} purchases for ${resellerPromoted} promoted versions (no double buying allowed)`,
    );
  }
  return { issued, distinctRenewals };
}

/** Secrets in log lines; returns how many lines carried a private key. */
function checkSecrets(world: ChaosWorld, ledger: Ledger, lines: string[], violations: string[]): number {
  const secrets = [...world.credentialValues.filter((s) => s.length >= 8), ...ledger.keyFragments];
  let leaks = 0;
  let keyLines = 0;
  for (const line of lines) {
    if (
      /PRIVATE KEY/.test(line) ||
      secrets.some((s) => line.includes(s)) ||
      /access_token=(?!\*|%5B|\[)[^&"\s]{6,}/.test(line) ||
      /"(accessToken|password|appSecret|accessKeySecret)":"[^"*[]/.test(line)
    ) {
      leaks += 1;
      if (leaks <= 3)
        violations.push(`secret in a log line: ${line.slice(0, 120).replace(/[A-Za-z0-9+/=]{24,}/g, "…")}`);
      if (/PRIVATE KEY/.test(line) || [...ledger.keyFragments].some((k) => line.includes(k))) keyLines += 1;
    }
  }
  return keyLines;
}
