/**
 * Chain ordering. A link is real only when the issuer's name matches (`checkIssued`) AND its key verifies the
 * signature (`verify`): two CAs can share a name, and a name match alone would accept another CA's certificate.
 */
import { X509Certificate } from "node:crypto";
import type { CertFacts } from "./facts.js";

export interface OrderedChain {
  /** The certificates that link from the leaf upward, leaf-side first (leaf excluded). */
  ordered: CertFacts[];
  /** Given certificates that are not on the leaf's path (for a gap, also the ones above the missing link). */
  foreign: CertFacts[];
  /**
   * false when the path stops below a certificate that was given: something between them is missing (a gap).
   * Ending at an intermediate with nothing above it is complete: omitting the root is normal.
   */
  complete: boolean;
}

const parsed = new WeakMap<CertFacts, X509Certificate>();

export function x509Of(facts: CertFacts): X509Certificate {
  let x = parsed.get(facts);
  if (!x) {
    x = new X509Certificate(facts.pem);
    parsed.set(facts, x);
  }
  return x;
}

/** True when `issuer` really signed `subject`. */
export function issuedBy(subject: CertFacts, issuer: CertFacts): boolean {
  try {
    const s = x509Of(subject);
    const i = x509Of(issuer);
    return s.checkIssued(i) && s.verify(i.publicKey);
  } catch {
    return false;
  }
}

/**
 * Order `chain` from the leaf upward. Duplicates (and a copy of the leaf itself, common when fullchain.pem is
 * pasted as the chain) are dropped. A left-over certificate counts as "above a gap" (complete = false) when the
 * path stops at a certificate that is not self-signed and the left-over is a CA certificate that is not a
 * duplicate name of one on the path and was not issued by one on the path; otherwise it is foreign.
 */
export function orderChain(leaf: CertFacts, chain: CertFacts[]): OrderedChain {
  const seen = new Set<string>([leaf.fingerprint256]);
  const remaining: CertFacts[] = [];
  for (const c of chain) {
    if (seen.has(c.fingerprint256)) continue;
    seen.add(c.fingerprint256);
    remaining.push(c);
  }
  const ordered: CertFacts[] = [];
  let current = leaf;
  // Bounded by the number of certificates: each step removes one from `remaining`.
  while (!current.selfSigned && remaining.length > 0) {
    const index = remaining.findIndex((candidate) => issuedBy(current, candidate));
    if (index === -1) break;
    const [next] = remaining.splice(index, 1);
    if (!next) break;
    ordered.push(next);
    current = next;
  }
  const top = current;
  const path = [leaf, ...ordered];
  const aboveGap = (c: CertFacts): boolean =>
    !top.selfSigned &&
    c.isCA &&
    c.subject !== top.issuer && // same name as the missing issuer but a different key: another CA
    !path.some((p) => p.subject === c.subject) &&
    !path.some((p) => issuedBy(c, p));
  const complete = !remaining.some(aboveGap);
  return { ordered, foreign: remaining, complete };
}
