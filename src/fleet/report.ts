import { describeError } from "../errors.js";
import { writeMetrics } from "../signals/emf.js";
import { logCertificate, type CertificateOutcome, type JsonLogger } from "../signals/log.js";
import { alertsFor, notificationFor, notifyAll } from "../signals/notify.js";
import type { FleetDeps } from "./deps.js";

/** The signals of one invocation: a log line and metrics per certificate, fleet totals, and a notification if needed. */
export async function reportOutcomes(
  deps: FleetDeps,
  logger: JsonLogger,
  outcomes: CertificateOutcome[],
  source: string,
): Promise<void> {
  for (const outcome of outcomes) logCertificate(logger, outcome);
  writeMetrics(deps.write, outcomes, deps.clock());
  const alerts = alertsFor(outcomes, deps.settings.criticalDays);
  if (alerts.length === 0 || deps.notifiers.length === 0) return;
  await notifyAll(deps.notifiers, notificationFor(alerts, source), (notifier, error) => {
    logger.error("notification failed", { notifier: notifier.description, error: describeError(error) });
  });
}
