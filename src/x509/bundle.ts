/**
 * Validation of a certificate bundle as a user hands it over (Action inputs, a secret, an issuer's answer).
 * Every problem is an InputError with a specific code, the field name and the fix, raised before any remote
 * call; nothing else escapes (unexpected errors are wrapped), and no message contains PEM text.
 */
import type { KeyObject } from "node:crypto";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { CertificateMaterial } from "../model.js";
import { keyMatches, orderChain, x509Of } from "./chain.js";
import { certFacts, certificateFromDer, expireInDays, wrongTypeHint, type CertFacts } from "./facts.js";
import { readPrivateKey } from "./keys.js";
import { CERTIFICATE_TYPES, splitPem } from "./pem.js";
import { checkKeyStrength, checkSignature, signatureAlgorithmOf, type StrengthPolicy } from "./strength.js";

export interface ParsedBundle {
  leaf: CertFacts;
  /** Ordered leaf-side first. */
  chain: CertFacts[];
  key?: KeyObject;
  /** Normalized PEM text: the leaf alone, the chain in order, the key block in its given format ("" when none). */
  material: CertificateMaterial;
}

export interface BundleOptions {
  now: Date;
  /** default true */
  requireKey?: boolean;
  /** reject with CERT_EXPIRES_SOON when whole days left < this */
  minDaysLeft?: number;
  /** a CA certificate is what is wanted (a PBX's trusted CA list): accept it, and refuse a leaf instead */
  expectCa?: boolean;
  /** default false: an out-of-order chain is rejected with CHAIN_ORDER saying the right order */
  allowReorder?: boolean;
  /** Names used in messages (Action input names, e.g. `private-key`). */
  fields?: { certificate?: string; privateKey?: string; chain?: string };
  /** which otherwise-refused key types the destination vendor accepts (weak keys are refused: strength.ts) */
  strength?: StrengthPolicy;
}

function label(c: CertFacts): string {
  return `"${c.commonName || c.subject}"`;
}

function readCertificates(text: string, field: string, keyField: string): CertFacts[] {
  return splitPem(text, field).map((block, index) => {
    if (!CERTIFICATE_TYPES.has(block.type)) {
      throw new CertrelayError(
        ErrorCodes.PEM_WRONG_TYPE,
        `${field} block ${index + 1} is a ${block.type}, not a CERTIFICATE: ${wrongTypeHint(block.type, keyField)}`,
        { field },
      );
    }
    return certFacts(certificateFromDer(block.der, field), field);
  });
}

/**
 * Parse and check a bundle. Several certificates in the certificate field are accepted when the first is the
 * leaf (certbot's fullchain.pem): the rest are treated as chain certificates placed before the chain field's.
 */
export function parseBundle(
  input: { certificate: string; privateKey?: string; chain?: string },
  options: BundleOptions,
): ParsedBundle {
  const fCert = options.fields?.certificate ?? "certificate";
  const fKey = options.fields?.privateKey ?? "private-key";
  const fChain = options.fields?.chain ?? "chain";
  try {
    return parseBundleUnsafe(input, options, fCert, fKey, fChain);
  } catch (error) {
    if (error instanceof CertrelayError) throw error;
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `${fCert}, ${fKey} and ${fChain} could not be checked (${error instanceof Error ? error.name : "unexpected error"}): check that each holds the PEM text it should`,
      { field: fCert, cause: error },
    );
  }
}

function parseBundleUnsafe(
  input: { certificate: string; privateKey?: string; chain?: string },
  options: BundleOptions,
  fCert: string,
  fKey: string,
  fChain: string,
): ParsedBundle {
  const certs = readCertificates(input.certificate, fCert, fKey);
  const leaf = certs[0]!;
  const extra = certs.slice(1);
  const chainGiven: CertFacts[] = [
    ...extra,
    ...(input.chain !== undefined && input.chain.trim() !== "" ? readCertificates(input.chain, fChain, fKey) : []),
  ];

  let key: KeyObject | undefined;
  let keyPem = "";
  if (input.privateKey !== undefined && input.privateKey.trim() !== "") {
    ({ key, pem: keyPem } = readPrivateKey(input.privateKey, fKey));
  } else if (options.requireKey ?? true) {
    throw new CertrelayError(
      ErrorCodes.PEM_EMPTY,
      `${fKey} is empty: paste the private key that belongs to the certificate (PEM, not encrypted)`,
      { field: fKey },
    );
  }

  // Weak material is refused before anything else is said about it: no vendor should ever receive it.
  checkKeyStrength(x509Of(leaf).publicKey, key ? fKey : fCert, `the certificate ${label(leaf)}`, options.strength);
  checkSignature(signatureAlgorithmOf(x509Of(leaf).raw), fCert, `the certificate ${label(leaf)}`);
  for (const c of chainGiven) {
    // A root's self-signature is never checked by anyone (it is trusted as is); intermediates' signatures are.
    if (c.selfSigned) continue;
    checkKeyStrength(x509Of(c).publicKey, fChain, `the chain certificate ${label(c)}`, options.strength);
    checkSignature(signatureAlgorithmOf(x509Of(c).raw), fChain, `the chain certificate ${label(c)}`);
  }

  if (options.expectCa && !leaf.isCA) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `${fCert} ${label(leaf)} is not a CA certificate, but a trusted certificate must be one: pass the CA's certificate, or deploy this one as a server certificate`,
      { field: fCert },
    );
  }
  if (leaf.isCA && !options.expectCa) {
    const leafAfter = extra.find((c) => !c.isCA);
    throw new CertrelayError(
      ErrorCodes.CERT_IS_CA,
      leafAfter
        ? `${fCert} starts with the CA certificate ${label(leaf)}: put the server certificate ${label(leafAfter)} first and the CA certificates in ${fChain}`
        : `${fCert} is the CA certificate ${label(leaf)}, not a server certificate: paste the certificate issued for your domain here and CA certificates in ${fChain}`,
      { field: fCert },
    );
  }

  if (key) {
    if (!keyMatches(leaf, key)) {
      throw new CertrelayError(
        ErrorCodes.KEY_MISMATCH,
        `${fKey} does not belong to the certificate ${label(leaf)} in ${fCert} (serial ${leaf.serial}): use the key generated with this certificate's CSR`,
        { field: fKey },
      );
    }
  }

  const now = options.now;
  if (now.getTime() < leaf.notBefore.getTime()) {
    throw new CertrelayError(
      ErrorCodes.CERT_NOT_YET_VALID,
      `${fCert} ${label(leaf)} is not valid until ${leaf.notBefore.toISOString()}: wait until then or check this machine's clock`,
      { field: fCert },
    );
  }
  if (now.getTime() > leaf.notAfter.getTime()) {
    throw new CertrelayError(
      ErrorCodes.CERT_EXPIRED,
      `${fCert} ${label(leaf)} expired on ${leaf.notAfter.toISOString()}: renew it and use the new certificate`,
      { field: fCert },
    );
  }
  const daysLeft = expireInDays(leaf.notAfter, now);
  if (options.minDaysLeft !== undefined && daysLeft < options.minDaysLeft) {
    throw new CertrelayError(
      ErrorCodes.CERT_EXPIRES_SOON,
      `${fCert} ${label(leaf)} expires on ${leaf.notAfter.toISOString()} (${daysLeft} days left, at least ${options.minDaysLeft} required): renew it first`,
      { field: fCert },
    );
  }

  const { ordered, foreign, complete } = orderChain(leaf, chainGiven, fChain);
  if (!complete) {
    const top = ordered.at(-1) ?? leaf;
    throw new CertrelayError(
      ErrorCodes.CHAIN_INCOMPLETE,
      `${fChain} has a gap: the certificate that issued ${label(top)} (issuer "${top.issuerCommonName || top.issuer}") is missing, so ${foreign.map(label).join(", ")} cannot be linked: add the missing intermediate certificate (or, if those belong to another CA, use the chain your CA issued with this certificate)`,
      { field: fChain },
    );
  }
  if (foreign.length > 0) {
    throw new CertrelayError(
      ErrorCodes.CHAIN_FOREIGN,
      `${fChain} contains ${foreign.map(label).join(", ")}, which did not issue ${label(leaf)} or any certificate above it: remove ${foreign.length === 1 ? "it" : "them"} (wrong CA or wrong file)`,
      { field: fChain },
    );
  }
  const givenOrder = dedupe(chainGiven, leaf).map((c) => c.fingerprint256);
  const rightOrder = ordered.map((c) => c.fingerprint256);
  if (!options.allowReorder && givenOrder.join() !== rightOrder.join()) {
    throw new CertrelayError(
      ErrorCodes.CHAIN_ORDER,
      `${fChain} is out of order: put the certificates leaf-side first: ${ordered.map(label).join(", then ")}`,
      { field: fChain },
    );
  }

  const material: CertificateMaterial = {
    certificate: leaf.pem,
    privateKey: keyPem,
    chain: ordered.map((c) => c.pem).join(""),
  };
  return key ? { leaf, chain: ordered, key, material } : { leaf, chain: ordered, material };
}

function dedupe(chain: CertFacts[], leaf: CertFacts): CertFacts[] {
  const seen = new Set<string>([leaf.fingerprint256]);
  return chain.filter((c) => (seen.has(c.fingerprint256) ? false : (seen.add(c.fingerprint256), true)));
}
