/**
 * `npm run chaos`: the chaos core (src/chaos) at a bigger size than the test runs it. Arguments:
 * `[certificates] [rounds] [seed] [concurrent] [force]` (default 40 10 20261124 0.5 0.4): `concurrent` is the chance
 * that a faulty round runs two or three of CLI, scheduler, worker and a redelivered worker at once on the same
 * certificates (kills included); `force` the chance that a round's CLI run renews everything (`--force`), which is
 * what makes a run reach many rotations. Exits 1 when any invariant was violated.
 */
import "reflect-metadata";
import { runChaos } from "../src/chaos/run.js";

const [certificates = 40, rounds = 10, seed = 20261124, concurrentProbability = 0.5, forceProbability = 0.4] =
  process.argv.slice(2).map(Number);
const started = performance.now();
process.stderr.write(
  `chaos: ${certificates} certificates x ${rounds} rounds, seed ${seed}, concurrency 4, concurrent rounds ${concurrentProbability}, forced ${forceProbability}\n`,
);
const result = await runChaos({ certificates, rounds, seed, concurrency: 4, concurrentProbability, forceProbability });
const seconds = ((performance.now() - started) / 1000).toFixed(1);

const lines = [
  `rounds            ${result.rounds} faulty + 2 clean (${seconds} s)`,
  `rotations         ${result.rotations} (versions promoted after each certificate's first)`,
  `crashes           ${result.crashes} (simulated, between pipeline steps)`,
  `faults injected   ${
    Object.entries(result.faults)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", ") || "none"
  }`,
  `retries           ${result.retries}`,
  `failures surfaced ${result.failuresSurfaced} (certificates reported failed, not counting the crashed process's own)`,
  `issued/promoted   ${result.issued} issued by the CA, ${result.distinctRenewals} distinct versions promoted (any difference expired unused before its renewal could finish)`,
  `log lines checked ${result.logLines}`,
  `concurrent rounds ${result.concurrentRounds} (${
    Object.entries(result.concurrentRuns)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", ") || "none"
  }); ${result.skippedInProgressElsewhere} certificates skipped as in progress elsewhere`,
  `invariants        ${Object.entries(result.invariants)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ")}`,
  `violations        ${result.violations.length}`,
  ...result.violations.map((v) => `  - ${v}`),
];
process.stdout.write(`${lines.join("\n")}\n`);
process.exitCode = result.violations.length === 0 ? 0 : 1;
