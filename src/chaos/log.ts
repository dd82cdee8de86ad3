import type { Logger } from "../model.js";

/** A logger that keeps every line (as the Lambda would print it) so the chaos run can count retries and look for secrets. */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  retries = 0;

  private write(level: string, message: string, fields?: Record<string, unknown>): void {
    if (/retried/i.test(message)) this.retries += 1;
    this.lines.push(JSON.stringify({ level, message, ...fields }));
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write("debug", message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.write("info", message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.write("warn", message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.write("error", message, fields);
  }
}
