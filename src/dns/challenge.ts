import { createHash } from "node:crypto";

/**
 * The record a DNS-01 challenge needs (RFC 8555 §8.4): name `_acme-challenge.<domain>.` (a wildcard's `*.` is
 * dropped, RFC 8555 §7.1.3), value base64url(SHA-256(key authorization)). Same as lego's dns01.GetChallengeInfo.
 */
export function challengeRecord(domain: string, keyAuth: string): { fqdn: string; value: string } {
  const base = domain.replace(/^\*\./, "").replace(/\.$/, "").toLowerCase();
  return { fqdn: `_acme-challenge.${base}.`, value: createHash("sha256").update(keyAuth).digest("base64url") };
}
