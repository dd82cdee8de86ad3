/**
 * The one poll loop. Vendors answer once (an order is pending or done; a PBX's own application is pending or
 * done); waiting between answers is the pipeline's, bounded by the run's poll window (`--poll-timeout`, wall time)
 * and its deadline (PollWindow enforces both, and bounds the number of checks for frozen test clocks).
 */
import { PollWindow, type PollContext } from "../deadline.js";
import type { IssueOutcome, IssueRequest, Issuer } from "../model.js";

/** How a caller's waits are bounded: its clock, sleep, poll window and (optionally) the run's deadline. */
export type PollSettings = PollContext;

/**
 * Ask `first`, then `again` while `pending` says so and the window has time for another check. Returns the last
 * answer and the window, so a caller can say how long it waited (`window.describe()`).
 */
export async function pollUntilSettled<T>(
  first: () => Promise<T>,
  again: (last: T) => Promise<T>,
  pending: (answer: T) => boolean,
  settings: PollSettings | undefined,
): Promise<{ answer: T; window: PollWindow | undefined }> {
  // the window opens before the first answer: waiting is counted from the first request, in wall time
  const window = settings ? new PollWindow(settings) : undefined;
  let answer = await first();
  if (!window) return { answer, window };
  while (pending(answer) && (await window.next())) answer = await again(answer);
  return { answer, window };
}

/**
 * Issue (or resume `orderId`) and wait for the certificate within the window. A still-pending order comes back as
 * pending with how long it was waited on; the next run resumes it.
 */
export async function awaitIssuance(
  issuer: Issuer,
  request: IssueRequest,
  /** an order id to resume, or the first ask when it is not `issue` (e.g. a vendor's reissue); absent: `issue` */
  start: string | (() => Promise<IssueOutcome>) | undefined,
  settings: PollSettings | undefined,
): Promise<IssueOutcome> {
  const first =
    typeof start === "function" ? start : start ? () => issuer.resume(start, request) : () => issuer.issue(request);
  const { answer, window } = await pollUntilSettled(
    first,
    (last) => issuer.resume(last.orderId, request),
    (outcome) => outcome.state === "pending",
    settings,
  );
  if (answer.state === "pending" && window) return { ...answer, detail: `${answer.detail} (${window.describe()})` };
  return answer;
}
