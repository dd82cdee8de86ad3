/**
 * A run stopped by SIGTERM or SIGINT (Ctrl-C, a supervisor, Lambda's shutdown) would otherwise exit without its
 * `finally`: vendor sessions (Yeastar allows 8 live tokens per application) would stay live for 30 minutes. While
 * a run holds sessions, these signals first release them, then exit as the signal would have.
 */

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
