/**
 * What `check` and `deploy` (also `--dry-run`) verify about a certificate's stored material before they use it:
 * the certificate parses, the key parses, and the key belongs to the certificate. A wrong key shows up here, by
 * secret and field, before anything is written, instead of as a vendor's refusal halfway through a deploy.
 */
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { CertificateMaterial } from "../model.js";
import { certFacts, keyMatches, readPrivateKey, type CertFacts } from "../x509/index.js";

export interface StoredProblem {
  code: string;
  message: string;
}

/** `name` is the certificate's name in certrelay.yml, for the `--only` of the command the message suggests. */
export function checkStoredMaterial(
  material: CertificateMaterial,
  secretId: string,
  name: string,
): { facts: CertFacts } | { problem: StoredProblem } {
  const field = (name: string) => `secret ${secretId} field ${name}`;
  try {
    const facts = certFacts(material.certificate, field("certificate"));
    const { key } = readPrivateKey(material.privateKey, field("privateKey"));
    if (!keyMatches(facts, key)) {
      return {
        problem: {
          code: ErrorCodes.KEY_MISMATCH,
          message: `${field("privateKey")} does not belong to its certificate (serial ${facts.serial}): put the key made with this certificate's CSR back, or issue a new one with certrelay renew --force --only ${name}`,
        },
      };
    }
    return { facts };
  } catch (error) {
    if (error instanceof CertrelayError) return { problem: { code: error.code, message: error.message } };
    return {
      problem: { code: ErrorCodes.STORE_ERROR, message: `secret ${secretId} holds material certrelay cannot read` },
    };
  }
}
