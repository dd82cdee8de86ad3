/**
 * How the CLI talks to a terminal: where text goes, whether it is coloured, tables, and a text logger. Commands
 * receive a `CliIo` instead of touching process.stdout, so the demo and tests can capture every line.
 */
import Table from "cli-table3";
import picocolors from "picocolors";
import type { Logger } from "../model.js";

export type Colors = ReturnType<typeof picocolors.createColors>;

export interface CliIo {
  /** one or more lines for stdout (a trailing newline is added) */
  out(text: string): void;
  /** one or more lines for stderr */
  err(text: string): void;
  colors: Colors;
  env: Record<string, string | undefined>;
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorEnabled(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return Boolean(stream.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === "") && env.TERM !== "dumb";
}

export function processIo(): CliIo {
  const env = process.env;
  return {
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    colors: picocolors.createColors(colorEnabled(process.stdout, env)),
    env,
  };
}

/** An io that collects lines, for the demo's tests and for `--json` buffering. */
export function bufferIo(
  options: { color?: boolean; env?: Record<string, string | undefined> } = {},
): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => void stdout.push(text),
    err: (text) => void stderr.push(text),
    colors: picocolors.createColors(options.color ?? false),
    env: options.env ?? {},
  };
}

/** A plain table: no colour in the borders, so it copies into tickets and chat cleanly. */
export function renderTable(
  head: string[],
  rows: Array<Array<string | number>>,
  options: { align?: Array<"left" | "right">; compact?: boolean } = {},
): string {
  const table = new Table({
    head,
    style: { head: [], border: [], "padding-left": 1, "padding-right": 1, compact: options.compact ?? false },
    ...(options.align ? { colAligns: options.align } : {}),
  });
  for (const row of rows) table.push(row.map((cell) => String(cell)));
  return table.toString();
}

/** Two-column "field | value" table, for one object (inspect). */
export function renderFacts(rows: Array<[string, string]>): string {
  const table = new Table({ style: { head: [], border: [], "padding-left": 1, "padding-right": 1, compact: true } });
  for (const [field, value] of rows) table.push({ [field]: value });
  return table.toString();
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const LEVELS: Record<Exclude<LogLevel, "silent">, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function fieldText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string") return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/**
 * Text logger on stderr (stdout stays for results and `--json`): `warn  message key=value`. Fields come from the
 * core, which never puts secrets in them.
 */
export function textLogger(io: CliIo, level: LogLevel): Logger {
  const min = level === "silent" ? Infinity : LEVELS[level];
  const paint: Record<keyof typeof LEVELS, (s: string) => string> = {
    debug: io.colors.gray,
    info: io.colors.cyan,
    warn: io.colors.yellow,
    error: io.colors.red,
  };
  const write = (at: keyof typeof LEVELS) => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[at] < min) return;
    const extra = fields
      ? Object.entries(fields)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}=${fieldText(v)}`)
      : [];
    io.err([paint[at](at.padEnd(5)), message, ...extra].join(" "));
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** `7A3F…C21` for tables: serials are 32 hex digits and only their ends tell two apart at a glance. */
export function shortSerial(serial: string | undefined, width = 12): string {
  if (!serial) return "-";
  if (serial.length <= width) return serial;
  const half = Math.floor((width - 1) / 2);
  return `${serial.slice(0, half)}…${serial.slice(-half)}`;
}
