/** RFC 8555 / RFC 9773 wire shapes certrelay reads (acme-client types cover the rest). */

/** RFC 8555 §6.7 problem document, with §6.7.1 subproblems. */
export interface AcmeProblem {
  type?: string;
  detail?: string;
  status?: number;
  subproblems?: { type?: string; detail?: string; identifier?: { type?: string; value?: string } }[];
}

/** RFC 8555 §7.1.1, plus RFC 9773 `renewalInfo` and the profiles extension's `meta.profiles`. */
export interface AcmeDirectory {
  newNonce?: string;
  newAccount?: string;
  newOrder?: string;
  renewalInfo?: string;
  meta?: { termsOfService?: string; externalAccountRequired?: boolean; profiles?: Record<string, string> };
}

/** RFC 9773 §4.2 */
export interface RenewalInfo {
  suggestedWindow?: { start?: string; end?: string };
  explanationURL?: string;
}
