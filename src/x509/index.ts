/** The certificate toolkit: everything the core knows about PEM, keys, certificates, chains and CSRs. */
export { CERTIFICATE_TYPES, splitPem, toPem, type PemBlock } from "./pem.js";
export {
  certFacts,
  parseCertificate,
  caCertificatesProblem,
  type CaCertificatesProblem,
  expireInDays,
  lifetimeDays,
  normalizeSerial,
  serialFromDecimal,
  serialToDecimal,
  parseSubjectAltName,
  type CertFacts,
} from "./facts.js";
export { parsePrivateKey, readPrivateKey, toPkcs1Pem, toPkcs8Pem, describeKey, type KeyDescription } from "./keys.js";
export { orderChain, issuedBy, keyMatches, type OrderedChain } from "./chain.js";
export { parseBundle, type ParsedBundle, type BundleOptions } from "./bundle.js";
export {
  generateKeyAndCsr,
  inspectCsr,
  checkCsrForEnos,
  type GeneratedCsr,
  type CsrFacts,
  type CsrSubject,
} from "./csr.js";
export {
  checkCertificateStrength,
  checkCsrStrength,
  checkKeyStrength,
  checkSignature,
  signatureAlgorithmOf,
  weakSignatureName,
  type StrengthPolicy,
} from "./strength.js";
