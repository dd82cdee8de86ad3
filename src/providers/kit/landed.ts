/**
 * "Did the request land?" A write whose answer was lost (a timeout, a dropped connection, a 5xx from a proxy) may
 * have been carried out all the same, and sending it again could buy twice, upload a duplicate record or apply for a
 * second certificate. So a write is sent once and never retried blind: when its answer is lost, what it would have
 * made is looked up (an order by its reference, a certificate by its serial or key), and only a lookup that finds
 * nothing lets the write's own error through. The next run looks before it writes, so it can safely write again.
 */
import { CertrelayError, ErrorCodes, isVendorError } from "../../errors.js";
import type { Logger } from "../../model.js";

/** The write may have been carried out: no answer (network error, timeout), or a server error after it was sent. */
export function answerLost(error: unknown): boolean {
  if (isVendorError(error) && error.status !== undefined) return error.status >= 500;
  return (
    error instanceof CertrelayError && (error.code === ErrorCodes.NETWORK_ERROR || error.code === ErrorCodes.TIMEOUT)
  );
}

export interface Landed<T> {
  /** what would have been made, for the log line: "reseller order ref-1" */
  what: string;
  /** finds what the write made, or undefined when it did not land; never writes */
  lookup(): Promise<T | undefined>;
  logger: Logger;
}

/** The write's answer; if that was lost, what the write made (looked up); else the write's error. */
export async function writeOnce<T>(write: () => Promise<T>, landed: Landed<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!answerLost(error)) throw error;
    landed.logger.warn(`answer lost; looking up ${landed.what} instead of sending the write again`);
    let found: T | undefined;
    try {
      found = await landed.lookup();
    } catch (lookupError) {
      // The write's error says what happened and that it was not repeated; the failed lookup only that we cannot tell.
      landed.logger.warn(`could not look up ${landed.what}; the next run looks again before writing`, {
        error: lookupError instanceof Error ? lookupError.message : String(lookupError),
      });
      throw error;
    }
    if (found === undefined) throw error;
    landed.logger.info(`${landed.what} had landed; using it`);
    return found;
  }
}
