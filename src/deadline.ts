/**
 * One time budget per run. It is made once at the entry (the Lambda's remaining time minus a reserve, the CLI's
 * `--timeout`, the Action's `wait-seconds`) and handed down, so every wait — an HTTP attempt, a retry's backoff,
 * an issuance poll, an edge probe — takes its time from the same budget instead of each counting its own.
 * A budget that runs out raises TIMEOUT naming the budget, the real elapsed time and how to give it more.
 */
import { CertrelayError, ErrorCodes } from "./errors.js";
import type { Clock, Sleep } from "./model.js";

export interface DeadlineOptions {
  /** how long the run may take from now, in ms */
  budgetMs: number;
  /** what set the budget, as the user names it: `--timeout`, `wait-seconds`, `the Lambda's remaining time` */
  budget: string;
  /** how to give the run more time, e.g. `raise --timeout` */
  fix?: string;
  /** monotonic milliseconds; default `performance.now` (wall time that never jumps back) */
  now?: () => number;
}

export class Deadline {
  readonly budget: string;
  readonly budgetMs: number;
  private readonly fix: string;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly endsAt: number;
  private controller: AbortController | undefined;
  /** set once the run was stopped from outside (a signal): what stopped it */
  private stoppedBy: string | undefined;
  private stopController: AbortController | undefined;

  constructor(options: DeadlineOptions) {
    this.budget = options.budget;
    this.budgetMs = Math.max(0, options.budgetMs);
    this.fix = options.fix ?? `give ${options.budget} more time`;
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.endsAt = this.startedAt + this.budgetMs;
  }

  /** ms left, never negative */
  remaining(): number {
    if (this.stoppedBy !== undefined) return 0;
    return Math.max(0, this.endsAt - this.now());
  }

  /**
   * The run is being stopped from outside (SIGTERM/SIGINT: a cancelled job, a supervisor): every wait that draws on
   * this budget ends now as if it ran out, so the run goes through its normal end (the finally blocks that release
   * leases, revoke sessions and remove TXT records; clean-up calls do not draw on the budget).
   */
  stop(reason: string): void {
    if (this.stoppedBy !== undefined) return;
    this.stoppedBy = reason;
    const error = this.error("waiting");
    this.controller?.abort(error);
    (this.stopController ??= new AbortController()).abort(error);
  }

  /**
   * Aborts only when the run is stopped from outside, for a wait that is already bounded by the budget some other
   * way (an HTTP attempt's own timer): unlike `signal`, it starts no timer.
   */
  get stopSignal(): AbortSignal {
    return (this.stopController ??= new AbortController()).signal;
  }

  /** what stopped the run from outside, if anything did */
  get stopped(): string | undefined {
    return this.stoppedBy;
  }

  /** real ms since the budget started */
  elapsed(): number {
    return Math.max(0, this.now() - this.startedAt);
  }

  expired(): boolean {
    return this.remaining() <= 0;
  }

  /** `ms`, shortened to what is left of the budget */
  cap(ms: number): number {
    return Math.min(ms, this.remaining());
  }

  /**
   * Aborts when the budget runs out, for APIs that take an AbortSignal. Made on first use and driven by a real
   * timer (unref'd, so it never keeps a finished process alive).
   */
  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController();
      this.controller = controller;
      const left = this.remaining();
      if (left <= 0) controller.abort(this.error("waiting"));
      else setTimeout(() => controller.abort(this.error("waiting")), left).unref();
    }
    return this.controller.signal;
  }

  /** Throws TIMEOUT when the budget is spent; `activity` says what could not start, e.g. `deploying to cdn`. */
  check(activity: string): void {
    if (this.expired()) throw this.error(activity);
  }

  /** The TIMEOUT this budget raises, e.g. `the --timeout budget of 20.0 s ran out after 20.1 s while polling …`. */
  error(activity: string, options: { cause?: unknown; vendor?: string } = {}): CertrelayError {
    const message =
      this.stoppedBy !== undefined
        ? `the run was stopped (${this.stoppedBy}) after ${seconds(this.elapsed())} while ${activity}; progress is stored and the next run resumes it`
        : undefined;
    return new CertrelayError(
      ErrorCodes.TIMEOUT,
      message ??
        `the ${this.budget} budget of ${seconds(this.budgetMs)} ran out after ${seconds(this.elapsed())} while ${activity}; progress is stored and the next run resumes it (${this.fix})`,
      {
        field: this.budget,
        ...(options.vendor ? { vendor: options.vendor } : {}),
        ...(options.cause === undefined ? {} : { cause: options.cause }),
      },
    );
  }
}

/** `1234` -> `1.2 s`: messages state real elapsed time in a unit people read. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The Lambda's budget: its remaining time minus a reserve kept for storing progress, revoking sessions and
 * reporting. Time is read from the invocation's own clock (getRemainingTimeInMillis), so it matches Lambda's.
 */
export function lambdaDeadline(context: { getRemainingTimeInMillis(): number }, reserveMs: number): Deadline {
  const initial = context.getRemainingTimeInMillis();
  return new Deadline({
    budgetMs: initial - reserveMs,
    budget: "Lambda remaining time",
    fix: "raise the function timeout, or lower RESERVE_MS",
    now: () => initial - context.getRemainingTimeInMillis(),
  });
}

export interface PollContext {
  clock: Clock;
  sleep: Sleep;
  poll: { intervalMs: number; maxWaitMs: number };
  deadline?: Deadline | undefined;
}

/**
 * A bounded wait for asynchronous vendor work (issuance, DCV, edge propagation). It ends when the poll window
 * (`--poll-timeout`, measured in wall time, not in checks) or the run's deadline is spent, whichever comes first.
 * The number of checks is bounded too, so a frozen test clock with an instant sleep cannot loop forever.
 */
export class PollWindow {
  private readonly startedAt: number;
  private readonly maxChecks: number;
  private readonly interval: number;
  private checks = 1;
  /** set once the window closed because the run's deadline, not the poll window, ran out */
  deadlineSpent = false;

  constructor(private readonly ctx: PollContext) {
    this.interval = Math.max(1, ctx.poll.intervalMs);
    this.maxChecks = Math.max(1, Math.ceil(ctx.poll.maxWaitMs / this.interval) + 1);
    this.startedAt = this.now();
  }

  private now(): number {
    return this.ctx.clock().getTime();
  }

  /** real ms since the first check */
  elapsed(): number {
    return Math.max(0, this.now() - this.startedAt);
  }

  /** checks made so far */
  get checked(): number {
    return this.checks;
  }

  /**
   * `ms` cut to what is left of the run's deadline, so one check that blocks (a handshake that never completes)
   * cannot outlast the run; at least 1 ms. Not cut to the poll window: a check that is merely slow still counts.
   */
  cap(ms: number): number {
    return Math.max(1, this.ctx.deadline ? this.ctx.deadline.cap(ms) : ms);
  }

  /** Wait for the next check; false when there is no time (or no check) left for one. */
  async next(): Promise<boolean> {
    if (this.checks >= this.maxChecks) return false;
    const windowLeft = this.ctx.poll.maxWaitMs - this.elapsed();
    const deadlineLeft = this.ctx.deadline?.remaining() ?? Number.POSITIVE_INFINITY;
    // A check that would start after the run must stop is pointless: stop now and leave the time for storing.
    if (windowLeft <= 0) return false;
    if (deadlineLeft <= this.interval) {
      this.deadlineSpent = true;
      return false;
    }
    await this.ctx.sleep(Math.min(this.interval, windowLeft));
    this.checks += 1;
    return true;
  }

  /** For messages: `after 4 checks over 20.0 s` plus why waiting stopped. */
  describe(): string {
    const why = this.deadlineSpent ? `; the run's ${this.ctx.deadline?.budget ?? "time"} budget is spent` : "";
    return `after ${this.checks} check${this.checks === 1 ? "" : "s"} over ${seconds(this.elapsed())}${why}`;
  }
}
