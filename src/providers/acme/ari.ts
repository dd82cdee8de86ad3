/**
 * ACME Renewal Information (RFC 9773): the certificate's ARI identifier and the renewal time chosen inside the CA's
 * suggested window.
 */
import { createHash, X509Certificate } from "node:crypto";
import { CertrelayError, ErrorCodes } from "../../errors.js";
import { loadPeculiar } from "../../x509/csr.js";

/**
 * RFC 9773 §4.1: base64url(AKI keyIdentifier) "." base64url(DER serial bytes, without tag and length, so with the
 * leading zero byte a positive serial whose top bit is set needs).
 */
export async function ariCertId(certificatePem: string): Promise<string> {
  const lib = await loadPeculiar();
  const cert = new lib.X509Certificate(certificatePem);
  const aki = cert.getExtension(lib.AuthorityKeyIdentifierExtension);
  if (!aki?.keyId) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      "the certificate has no Authority Key Identifier, so the CA's renewal information cannot be asked for it",
      { field: "certificate" },
    );
  }
  return certIdFrom(aki.keyId, new X509Certificate(certificatePem).serialNumber);
}

/** The certID from the AKI keyIdentifier and the serial, both hex (colons allowed), as RFC 9773 §4.1 builds it. */
export function certIdFrom(akiHex: string, serialHex: string): string {
  let serial = serialHex
    .replaceAll(":", "")
    .toLowerCase()
    .replace(/^(00)+/, "");
  if (serial.length % 2 === 1) serial = `0${serial}`;
  if (serial === "") serial = "00";
  // DER INTEGER content: a positive serial whose top bit is set keeps its leading zero byte
  if (parseInt(serial.slice(0, 2), 16) >= 0x80) serial = `00${serial}`;
  return `${Buffer.from(akiHex.replaceAll(":", ""), "hex").toString("base64url")}.${Buffer.from(serial, "hex").toString("base64url")}`;
}

/**
 * RFC 9773 §4.2: "select a uniform random time within the suggested window". The draw is seeded by the certificate
 * and the window, so every run (and every Lambda in a fan-out) picks the same moment until the CA moves the window,
 * and a schedule that runs hourly does not turn the window into "the first hour of it".
 */
export function renewalTimeInWindow(certId: string, start: Date, end: Date): Date {
  const span = end.getTime() - start.getTime();
  if (span <= 0) return start;
  const seed = createHash("sha256")
    .update(`${certId}\n${start.toISOString()}\n${end.toISOString()}`)
    .digest()
    .readUInt32BE(0);
  return new Date(start.getTime() + Math.floor((seed / 0x1_0000_0000) * span));
}
