/**
 * Chain ordering. A link is real only when the issuer's name matches (`checkIssued`) AND its key verifies the
 * signature (`verify`): two CAs can share a name, and a name match alone would accept another CA's certificate.
 */
import { X509Certificate, type KeyObject } from "node:crypto";
import { CertrelayError, ErrorCodes } from "../errors.js";
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

/** Real chains are 1-4 long; the cap keeps the pairwise signature checks below cheap on any input. */
export const MAX_CHAIN_CERTIFICATES = 16;

const parsed = new WeakMap<CertFacts, X509Certificate>();

export function x509Of(facts: CertFacts): X509Certificate {
  let x = parsed.get(facts);
  if (!x) {
    x = new X509Certificate(facts.pem);
    parsed.set(facts, x);
  }
  return x;
}

/**
 * Whether `key` is the private key of `leaf`. checkPrivateKey throws (rather than answers false) for some key-type
 * pairs: either way it is not this cert's key.
 */
export function keyMatches(leaf: CertFacts, key: KeyObject): boolean {
  try {
    return x509Of(leaf).checkPrivateKey(key);
  } catch {
    return false;
  }
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
 * pasted as the chain) are dropped. A left-over certificate is plainly foreign when the path already reached a
 * root, when it is not a CA, when it repeats a name on the path or the missing issuer's name with another key,
 * when the path issued it, or when it issued such a foreign certificate. Any other left-over CA certificate may
 * sit above a missing link: then `complete` is false (a gap). Without the missing certificate nobody can tell
 * that case from an unrelated CA's chain; the CHAIN_INCOMPLETE message names both.
 */
export function orderChain(leaf: CertFacts, chain: CertFacts[], field = "chain"): OrderedChain {
  if (chain.length > MAX_CHAIN_CERTIFICATES) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `${field} holds ${chain.length} certificates; real chains hold 1 to 4: give only the intermediates (and optionally the root) of this certificate`,
      { field },
    );
  }
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
  // Plainly foreign: not a CA, a second certificate with a name already on the path, the missing issuer's name
  // with a key that does not verify (another CA), or something the path itself issued.
  const foreign = new Set(
    remaining.filter(
      (c) =>
        top.selfSigned ||
        !c.isCA ||
        c.subject === top.issuer ||
        path.some((p) => p.subject === c.subject) ||
        path.some((p) => issuedBy(c, p)),
    ),
  );
  // ...and so is whatever issued a foreign certificate: that is the other CA's own chain.
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of remaining) {
      if (!foreign.has(c) && [...foreign].some((x) => issuedBy(x, c))) {
        foreign.add(c);
        grew = true;
      }
    }
  }
  const complete = remaining.every((c) => foreign.has(c));
  return { ordered, foreign: remaining, complete };
}
