/**
 * Counters for the chaos run's safety report, callable from any round (concurrent, killed, timed-out):
 * - leaked vendor sessions: live tokens a PBX holds that no later run can reuse or revoke (not recorded in the
 *   store). Taken when no run is in flight; must be 0.
 * - deadline overruns: runs that returned after the time they were given (budget plus the reserve kept for
 *   storing progress). Must be 0.
 */
import type { Deadline } from "../deadline.js";
import type { SessionStore } from "../store/index.js";

/** What a vendor sandbox's token ledger answers (the Yeastar sandbox's `tokens`). */
export interface TokenLedgerView {
  validAccessTokens(): number;
  check(accessToken: string | null): string;
}

/**
 * Live tokens on one PBX minus those recorded in the store for its endpoint (`endpoint` exactly as certrelay.yml
 * names it) under `credentialsSecretId`. Tokens recorded there are not leaked: the next run reuses and revokes them.
 */
export async function leakedVendorSessions(
  ledger: TokenLedgerView,
  sessions: SessionStore | undefined,
  credentialsSecretId: string,
  endpoint: string,
): Promise<number> {
  const stored = sessions ? await sessions.getSessions(credentialsSecretId, endpoint) : [];
  const recorded = new Set(stored.filter((s) => ledger.check(s.accessToken) === "ok").map((s) => s.accessToken)).size;
  return Math.max(0, ledger.validAccessTokens() - recorded);
}

/** Counts runs that returned after their deadline's budget plus `reserveMs` (what the entry point really has). */
export class DeadlineOverruns {
  runs = 0;
  overruns = 0;
  /** the worst lateness seen, ms (0 when every run was on time) */
  worstMs = 0;

  constructor(private readonly reserveMs: number) {}

  /** Run `fn` under `deadline` and count it; a thrown error still counts (and is rethrown). */
  async track<T>(deadline: Deadline, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.runs += 1;
      const late = deadline.elapsed() - (deadline.budgetMs + this.reserveMs);
      if (late > 0) {
        this.overruns += 1;
        this.worstMs = Math.max(this.worstMs, Math.round(late));
      }
    }
  }
}

/** The part of the chaos world these counters read (see world.ts). */
export interface SessionWorld {
  config: { certificates: { targets: { provider: string; endpoint?: string; credentials?: string }[] }[] };
  store: { sessions?: SessionStore | undefined };
  yeastar: { url: string; tokens: TokenLedgerView };
  yeastar2: { url: string; tokens: TokenLedgerView };
}

/** Live tokens on the chaos world's PBXs that are recorded nowhere (so no later run can reuse or revoke them). */
export async function leakedSessionsIn(world: SessionWorld): Promise<number> {
  let leaked = 0;
  for (const pbx of [world.yeastar, world.yeastar2]) {
    const credentials = new Set(
      world.config.certificates.flatMap((c) =>
        c.targets.filter((t) => t.provider === "yeastar" && t.endpoint === pbx.url).map((t) => t.credentials ?? ""),
      ),
    );
    let recorded = 0;
    for (const secretId of credentials) {
      const stored = world.store.sessions ? await world.store.sessions.getSessions(secretId, pbx.url) : [];
      recorded += stored.filter((s) => pbx.tokens.check(s.accessToken) === "ok").length;
    }
    leaked += Math.max(0, pbx.tokens.validAccessTokens() - recorded);
  }
  return leaked;
}

/**
 * TIMEOUTs raised late: a deadline's message says how long the budget was and when it was found spent. A wait that
 * did not draw on the deadline shows up as a TIMEOUT found long after its budget ran out (or as a run that never
 * returned). `toleranceMs` absorbs scheduling delays on a loaded machine.
 */
export function lateTimeouts(lines: readonly string[], toleranceMs = 5_000): number {
  let late = 0;
  for (const line of lines) {
    for (const m of line.matchAll(/budget of (\d+(?:\.\d+)?) s ran out after (\d+(?:\.\d+)?) s/g)) {
      if ((Number(m[2]) - Number(m[1])) * 1000 > toleranceMs) late += 1;
    }
  }
  return late;
}

/** The chaos run's hook (chaosCounterHooks in run.ts): leaked vendor sessions and deadline overruns. */
export async function sessionAndDeadlineCounters(
  world: SessionWorld,
  lines: readonly string[],
): Promise<{ leakedSessions: number; deadlineOverruns: number }> {
  return { leakedSessions: await leakedSessionsIn(world), deadlineOverruns: lateTimeouts(lines) };
}
