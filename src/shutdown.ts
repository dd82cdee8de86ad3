/**
 * A run stopped by SIGTERM or SIGINT (Ctrl-C, a supervisor, Lambda's shutdown) would otherwise exit without its
 * `finally`: vendor sessions (Yeastar allows 8 live tokens per application) would stay live for 30 minutes. While
 * a run holds sessions, these signals first release them, then exit as the signal would have.
 */
import type { Deadline } from "./deadline.js";
import type { Sleep } from "./model.js";

const SIGNAL_EXIT: Record<"SIGTERM" | "SIGINT", number> = { SIGINT: 130, SIGTERM: 143 };
/** Releasing must not hold a stopping process hostage: a vendor that does not answer is given up on. */
const CLEANUP_LIMIT_MS = 5_000;

export interface TerminationOptions {
  /** default: process.exit */
  exit?: (code: number) => void;
  /** default: 5000 */
  limitMs?: number;
}

/** Until the returned function is called, SIGTERM/SIGINT run `cleanup` (once), then exit with 128 + the signal. */
export function releaseOnTermination(cleanup: () => Promise<void>, options: TerminationOptions = {}): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started: Promise<void> | undefined;
  const handler = (signal: "SIGTERM" | "SIGINT"): void => {
    started ??= Promise.race([
      cleanup().catch(() => undefined),
      new Promise<void>((resolve) => setTimeout(resolve, options.limitMs ?? CLEANUP_LIMIT_MS).unref()),
    ]);
    void started.then(() => exit(SIGNAL_EXIT[signal]));
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  return () => {
    process.off("SIGTERM", handler);
    process.off("SIGINT", handler);
  };
}

/**
 * How long a stopped run may take to end on its own. A cancelled GitHub job gets SIGINT, then SIGTERM 7.5 s later,
 * then SIGKILL 2.5 s after that: ending within 8 s of the first signal leaves the releases time to finish.
 */
const STOP_GRACE_MS = 8_000;

export interface RunStopper {
  /** the run's deadline, once made: a signal that came before it stops it at once */
  watch(deadline: Deadline): void;
  /** stop listening (the run ended); a stop already under way keeps its exit timer */
  dispose(): void;
}

/**
 * For a run that releases what it holds on its normal path (the Action: deploys and config runs close their
 * providers and give back leases in `finally`): SIGTERM/SIGINT stop the run's deadline, so its waits end at once
 * and it goes down that path, and exit with 128 + the signal if it has not ended within the grace period.
 */
export function stopOnTermination(options: TerminationOptions = {}): RunStopper {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const deadlines: Deadline[] = [];
  let stoppedBy: "SIGTERM" | "SIGINT" | undefined;
  const handler = (signal: "SIGTERM" | "SIGINT"): void => {
    if (stoppedBy) return;
    stoppedBy = signal;
    for (const deadline of deadlines) deadline.stop(signal);
    // unref'd: a run that ends in time exits on its own, with its own code
    setTimeout(() => exit(SIGNAL_EXIT[signal]), options.limitMs ?? STOP_GRACE_MS).unref();
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  return {
    watch(deadline) {
      deadlines.push(deadline);
      if (stoppedBy) deadline.stop(stoppedBy);
    },
    dispose() {
      // once stopping, a second signal (GitHub's SIGTERM after its SIGINT) must not kill the run's last writes
      if (stoppedBy) return;
      process.off("SIGTERM", handler);
      process.off("SIGINT", handler);
    },
  };
}

/** A sleep that ends early when the run is stopped from outside: a poll's pause does not hold a cancelled run. */
export function stoppableSleep(deadline: Deadline): Sleep {
  return (ms) =>
    new Promise<void>((resolve) => {
      const signal = deadline.stopSignal;
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
    });
}
