import { createHash } from "node:crypto";

/**
 * The idempotency reference of one renewal. It depends only on what the renewal replaces, so a retried or crashed
 * run computes the same value and the issuer (a purchase API's client reference) finds the earlier order instead of
 * buying again. A new reference appears only once the renewed certificate has been promoted.
 */
export function renewalReference(certificateName: string, replacingSerial: string | undefined): string {
  const basis = `${certificateName}\n${replacingSerial ?? "initial"}`;
  return `certrelay-${certificateName.slice(0, 24)}-${createHash("sha256").update(basis).digest("hex").slice(0, 16)}`;
}
