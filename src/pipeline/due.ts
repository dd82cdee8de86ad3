import { DAY_MS } from "../model.js";

export interface RenewalWindow {
  /** whole days left (floor), negative once expired */
  daysLeft: number;
  /** renew when daysLeft <= thresholdDays */
  thresholdDays: number;
  /** the moment the certificate becomes due */
  renewAt: Date;
  due: boolean;
}

/**
 * A certificate is due at min(renewBeforeDays, 1/3 of its lifetime) remaining. The lifetime third is what makes
 * short-lived certificates (6-day, 47-day) renew in time: a flat 30-day window would renew a 6-day certificate on
 * every run, and a 47-day one would spend most of its life "due".
 */
export function renewalWindow(
  validity: { notBefore: Date; notAfter: Date },
  now: Date,
  renewBeforeDays: number,
): RenewalWindow {
  const lifetimeMs = validity.notAfter.getTime() - validity.notBefore.getTime();
  const thresholdMs = Math.min(renewBeforeDays * DAY_MS, lifetimeMs / 3);
  const renewAt = new Date(validity.notAfter.getTime() - thresholdMs);
  const remainingMs = validity.notAfter.getTime() - now.getTime();
  return {
    daysLeft: Math.floor(remainingMs / DAY_MS),
    thresholdDays: Math.round((thresholdMs / DAY_MS) * 10) / 10,
    renewAt,
    due: now.getTime() >= renewAt.getTime(),
  };
}
