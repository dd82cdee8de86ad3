/** Private keys in the three PEM forms people paste (PKCS#1, PKCS#8, SEC1), and the PKCS#1 form the CDN wants. */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { splitPem } from "./pem.js";

export interface KeyDescription {
  keyType: "rsa" | "ec" | "other";
  keyBits?: number;
  curve?: string;
}

const NIST_CURVES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };

export function describeKey(key: KeyObject): KeyDescription {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === "rsa" || type === "rsa-pss") {
    return details.modulusLength === undefined
      ? { keyType: "rsa" }
      : { keyType: "rsa", keyBits: details.modulusLength };
  }
  if (type === "ec") {
    const named = details.namedCurve;
    const curve = named === undefined ? undefined : (NIST_CURVES[named] ?? named);
    const bits = curve === "P-256" ? 256 : curve === "P-384" ? 384 : curve === "P-521" ? 521 : undefined;
    return {
      keyType: "ec",
      ...(curve === undefined ? {} : { curve }),
      ...(bits === undefined ? {} : { keyBits: bits }),
    };
  }
  return { keyType: "other" };
}

const KEY_FORMATS: Record<string, "pkcs8" | "pkcs1" | "sec1"> = {
  "PRIVATE KEY": "pkcs8",
  "RSA PRIVATE KEY": "pkcs1",
  "EC PRIVATE KEY": "sec1",
};

const ENCRYPTED_FIX = "decrypt it first: openssl pkey -in key.pem -out plain.pem";

/**
 * Parse one private key. Encrypted keys are refused (KEY_ENCRYPTED): certrelay runs unattended and has nowhere
 * to ask for a passphrase. `EC PARAMETERS` blocks that `openssl ecparam -genkey` writes before the key are skipped.
 */
export function parsePrivateKey(pem: string, field = "private-key"): KeyObject {
  return readPrivateKey(pem, field).key;
}

/** The key and its block as normalized PEM (LF, 64 columns, no EC PARAMETERS, no literal `\n` escapes). */
export function readPrivateKey(pem: string, field = "private-key"): { key: KeyObject; pem: string } {
  const blocks = splitPem(pem, field).filter((b) => b.type !== "EC PARAMETERS");
  const keys = blocks.filter((b) => b.type.endsWith("PRIVATE KEY"));
  for (const block of keys) {
    if (block.type === "ENCRYPTED PRIVATE KEY" || (block.headers?.["Proc-Type"] ?? "").includes("ENCRYPTED")) {
      throw new CertrelayError(ErrorCodes.KEY_ENCRYPTED, `${field} is encrypted with a passphrase: ${ENCRYPTED_FIX}`, {
        field,
      });
    }
  }
  if (keys.length === 0) {
    const found = blocks[0]?.type ?? "nothing";
    throw new CertrelayError(
      ErrorCodes.PEM_WRONG_TYPE,
      `${field} holds a ${found}, not a private key: paste the PEM private key here (a PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)${found.includes("CERTIFICATE") ? " and the certificate in the certificate field" : ""}`,
      { field },
    );
  }
  if (keys.length > 1) {
    throw new CertrelayError(
      ErrorCodes.INPUT_INVALID,
      `${field} holds ${keys.length} private keys: give exactly the one that belongs to the certificate`,
      { field },
    );
  }
  const block = keys[0]!;
  const format = KEY_FORMATS[block.type];
  if (format === undefined) {
    throw new CertrelayError(
      ErrorCodes.KEY_UNSUPPORTED,
      `${field} is a ${block.type}, which certrelay cannot read: convert it to PKCS#8 with \`openssl pkey -in key.pem -out key-pkcs8.pem\` (for OpenSSH keys: \`ssh-keygen -p -m PEM -f key\`)`,
      { field },
    );
  }
  try {
    return { key: createPrivateKey({ key: block.der, format: "der", type: format }), pem: block.pem };
  } catch (error) {
    throw new CertrelayError(
      ErrorCodes.PEM_MALFORMED,
      `${field} is a ${block.type} block whose content is not a valid key: copy the key file again`,
      { field, cause: error },
    );
  }
}

/** RSA key as `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1), the only form SwiftFederation's CDN accepts. */
export function toPkcs1Pem(privateKeyPem: string, field = "private-key"): string {
  const key = parsePrivateKey(privateKeyPem, field);
  if (key.asymmetricKeyType !== "rsa") {
    throw new CertrelayError(
      ErrorCodes.KEY_UNSUPPORTED,
      `${field} is a ${key.asymmetricKeyType ?? "non-RSA"} key, but PKCS#1 holds RSA keys only: use an RSA certificate for this target`,
      { field },
    );
  }
  try {
    return String(key.export({ format: "pem", type: "pkcs1" }));
  } catch (error) {
    if (error instanceof CertrelayError) throw error;
    throw new CertrelayError(
      ErrorCodes.KEY_UNSUPPORTED,
      `${field} could not be written as PKCS#1: convert it with \`openssl rsa -in key.pem -traditional\``,
      { field, cause: error },
    );
  }
}

/** PKCS#8 PEM for any key: the form certrelay stores. */
export function toPkcs8Pem(key: KeyObject): string {
  return String(key.export({ format: "pem", type: "pkcs8" }));
}
