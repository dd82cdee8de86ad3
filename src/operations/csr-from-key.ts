/**
 * `apply` with the user's own `private-key`: the CSR is built from that key (never a fresh one that silently
 * replaces it), its type must suit the issuer, and a `csr` given alongside must belong to it.
 */
import { createPublicKey, webcrypto, type KeyObject } from "node:crypto";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { KeyType } from "../model.js";
import { checkKeyStrength, describeKey, readPrivateKey, type CsrFacts } from "../x509/index.js";
import { generalNames, jsonName, loadPeculiar } from "../x509/csr.js";

export interface KeyForCsr {
  key: KeyObject;
  keyType: KeyType;
  /** `P-256` / `P-384` for EC keys */
  curve?: string;
}

/** Read the key and say what kind of certificate it can have; only RSA and P-256/P-384 EC keys are used here. */
export function readKeyForCsr(pem: string, field = "private-key"): KeyForCsr {
  const { key } = readPrivateKey(pem, field);
  checkKeyStrength(key, field, "the key");
  const description = describeKey(key);
  if (description.keyType === "rsa" && key.asymmetricKeyType === "rsa") return { key, keyType: "rsa" };
  if (description.keyType === "ec" && (description.curve === "P-256" || description.curve === "P-384"))
    return { key, keyType: "ecc", curve: description.curve };
  throw new CertrelayError(
    ErrorCodes.KEY_UNSUPPORTED,
    `input '${field}' is a ${description.curve ?? key.asymmetricKeyType ?? "unknown"} key; a CSR needs an RSA or an EC P-256/P-384 key: generate one with \`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048\``,
    { field },
  );
}

function spkiPem(key: KeyObject): string {
  return String(createPublicKey(key).export({ type: "spki", format: "pem" })).trim();
}

/** A CSR and a key belong together when the CSR carries the key's public half. */
export function checkCsrMatchesKey(csr: CsrFacts, key: KeyObject): void {
  if (csr.publicKeyPem.trim() !== spkiPem(key)) {
    throw new CertrelayError(
      ErrorCodes.KEY_MISMATCH,
      "input 'csr' was not made from input 'private-key': pass the key the CSR was generated with, or leave one of them out (certrelay then builds the CSR from the key, or uses the CSR alone)",
      { field: "csr" },
    );
  }
}

/** Build a CSR signed by the given key (SHA-256, as every issuer here requires). */
export async function csrFromKey(key: KeyForCsr, commonName: string, sans: string[]): Promise<string> {
  const lib = await loadPeculiar();
  try {
    const pkcs8 = key.key.export({ type: "pkcs8", format: "der" });
    const spki = createPublicKey(key.key).export({ type: "spki", format: "der" });
    const algorithm =
      key.keyType === "rsa"
        ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
        : { name: "ECDSA", namedCurve: key.curve ?? "P-256" };
    const privateKey = await webcrypto.subtle.importKey("pkcs8", pkcs8, algorithm, false, ["sign"]);
    const publicKey = await webcrypto.subtle.importKey("spki", spki, algorithm, true, ["verify"]);
    const csr = await lib.Pkcs10CertificateRequestGenerator.create({
      name: jsonName(commonName),
      keys: { privateKey, publicKey },
      signingAlgorithm:
        key.keyType === "rsa"
          ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
          : { name: "ECDSA", hash: key.curve === "P-384" ? "SHA-384" : "SHA-256" },
      extensions: [new lib.SubjectAlternativeNameExtension(generalNames(sans))],
    });
    return `${csr.toString("pem").replaceAll("\r\n", "\n").trimEnd()}\n`;
  } catch (error) {
    if (error instanceof CertrelayError) throw error;
    throw new CertrelayError(
      ErrorCodes.CSR_INVALID,
      `could not build a CSR for "${commonName}" from input 'private-key': check common-name and sans (DNS names or IP addresses)`,
      { field: "private-key", cause: error },
    );
  }
}
