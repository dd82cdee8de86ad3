/**
 * Structured JSON logs for the Lambda: one line per event, one line per certificate. CloudWatch Logs Insights
 * queries them by field (`filter certificate = "www" | stats max(durationMs)`), so field names are stable.
 * Nothing that looks like a secret survives into a line: keys named like secrets and any PEM text are redacted
 * here, as a last guard behind the callers who already never pass them.
 */
import type { CertificateAction, CertificateReport } from "../pipeline/index.js";
import type { Clock, Logger } from "../model.js";

/** Where finished lines go; stdout in Lambda (CloudWatch picks it up), a capture array in tests. */
export type LineWriter = (line: string) => void;

export const stdoutWriter: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

/** What happened to one certificate in this invocation. `queued`/`deferred` are the scheduler's own outcomes. */
export type FleetAction = CertificateAction | "queued" | "deferred";

export type FleetResult = "ok" | "failed" | "in-progress";

export interface CertificateOutcome {
  name: string;
  action: FleetAction;
  daysLeft?: number;
  durationMs: number;
  serial?: string;
  previousSerial?: string;
  error?: { code: string; message: string; name?: string };
  detail?: string;
}

export function resultOf(action: FleetAction): FleetResult {
  switch (action) {
    case "failed":
      return "failed";
    case "pending":
    case "skipped":
    case "queued":
    case "deferred":
      return "in-progress";
    default:
      return "ok";
  }
}

export function outcomeFromReport(report: CertificateReport): CertificateOutcome {
  return {
    name: report.name,
    action: report.action,
    durationMs: report.durationMs,
    ...(report.daysLeft === undefined ? {} : { daysLeft: report.daysLeft }),
    ...(report.serial === undefined ? {} : { serial: report.serial }),
    ...(report.previousSerial === undefined ? {} : { previousSerial: report.previousSerial }),
    ...(report.error === undefined ? {} : { error: report.error }),
    ...(report.detail === undefined ? {} : { detail: report.detail }),
  };
}

const SECRET_KEY = /pass(word|wd|phrase)?$|secret|token|apikey|privatekey|hmac|credential|authorization|webhook/i;
const REDACTED = "[redacted]";

/** Copy of `value` with secret-named keys and PEM blocks replaced. Bounded depth: log fields are shallow. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.includes("-----BEGIN") ? "[redacted PEM]" : value;
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    // `secret` alone is the store secret id (a name, not a value); everything else secret-like is dropped.
    out[key] = key !== "secret" && SECRET_KEY.test(key.replace(/[-_]/g, "")) ? REDACTED : redact(child, depth + 1);
  }
  return out;
}

type Level = "debug" | "info" | "warn" | "error";

export interface JsonLoggerOptions {
  write: LineWriter;
  clock: Clock;
  /** fields on every line, e.g. { function: "scheduler", requestId } */
  base?: Record<string, unknown>;
  /** lowest level written; debug lines are dropped by default */
  level?: Level;
}

const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLogger extends Logger {
  /** one line with exactly these fields (after redaction) */
  line(fields: Record<string, unknown>): void;
}

export function createJsonLogger(options: JsonLoggerOptions): JsonLogger {
  const minimum = LEVELS[options.level ?? "info"];
  const emit = (fields: Record<string, unknown>): void => {
    options.write(JSON.stringify(redact({ time: options.clock().toISOString(), ...options.base, ...fields })));
  };
  const at =
    (level: Level) =>
    (message: string, fields: Record<string, unknown> = {}): void => {
      if (LEVELS[level] < minimum) return;
      emit({ level, message, ...fields });
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), line: emit };
}

/** The one line per certificate: name, daysLeft, action, result, durationMs (plus serials and the error code). */
export function logCertificate(logger: JsonLogger, outcome: CertificateOutcome): void {
  const result = resultOf(outcome.action);
  logger.line({
    level: result === "failed" ? "error" : "info",
    message: "certificate",
    certificate: outcome.name,
    daysLeft: outcome.daysLeft ?? null,
    action: outcome.action,
    result,
    durationMs: outcome.durationMs,
    ...(outcome.serial === undefined ? {} : { serial: outcome.serial }),
    ...(outcome.previousSerial === undefined ? {} : { previousSerial: outcome.previousSerial }),
    // errorType: the real class name, as the Lambda runtime names a thrown error's
    ...(outcome.error === undefined
      ? {}
      : {
          errorCode: outcome.error.code,
          ...(outcome.error.name ? { errorType: outcome.error.name } : {}),
          error: outcome.error.message,
        }),
    ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
  });
}
