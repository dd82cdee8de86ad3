/** CSR building (key generated here, never leaves the process except as the PKCS#8 PEM we return) and inspection. */
import { createPublicKey, webcrypto } from "node:crypto";

type RsaHashedKeyGenParams = webcrypto.RsaHashedKeyGenParams;
type EcKeyGenParams = webcrypto.EcKeyGenParams;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { isIP } from "node:net";
import type * as x509 from "@peculiar/x509";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { KeyOptions, KeyType } from "../model.js";
import { describeKey } from "./keys.js";
import { splitPem, toPem } from "./pem.js";

let peculiar: Promise<typeof x509> | undefined;
/** The CSR library, loaded once on first use so that runs which never touch a CSR do not pay for it at start. */
export function loadPeculiar(): Promise<typeof x509> {
  return (peculiar ??= import("./peculiar.js").then((m) => m.x509));
}

export interface GeneratedCsr {
  /** PKCS#8 PEM */
  privateKey: string;
  /** `-----BEGIN CERTIFICATE REQUEST-----` */
  csr: string;
}

export interface CsrSubject {
  O?: string;
  OU?: string;
  C?: string;
  ST?: string;
  L?: string;
}

export interface CsrFacts {
  commonName: string;
  sans: string[];
  keyType: "rsa" | "ec" | "other";
  keyBits?: number;
  curve?: string;
  /** `SHA256withRSA` | `SHA256withECDSA` | another `<HASH>with<ALG>` name */
  signatureAlgorithm: string;
  signatureValid: boolean;
  publicKeyPem: string;
}

/** The algorithms EnOS demands (RSA-2048 + SHA256withRSA, P-256 + SHA256withECDSA) and certrelay uses for every CSR. */
export const RSA_KEY_ALGORITHM: RsaHashedKeyGenParams = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};
export const EC_KEY_ALGORITHM: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };

export function keyAlgorithm(keyType: KeyType): RsaHashedKeyGenParams | EcKeyGenParams {
  return keyType === "rsa" ? RSA_KEY_ALGORITHM : EC_KEY_ALGORITHM;
}

export function signingAlgorithm(keyType: KeyType): Algorithm | EcdsaParams {
  return keyType === "rsa" ? { name: "RSASSA-PKCS1-v1_5" } : ({ name: "ECDSA", hash: "SHA-256" } as EcdsaParams);
}

export async function generateKeyPair(keyType: KeyType, options: KeyOptions = {}): Promise<CryptoKeyPair> {
  const algorithm =
    keyType === "rsa"
      ? { ...RSA_KEY_ALGORITHM, modulusLength: options.rsaBits ?? 2048 }
      : { ...EC_KEY_ALGORITHM, namedCurve: options.curve ?? "P-256" };
  return (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
}

/** SAN entries for @peculiar/x509: IP literals as IP names, everything else as DNS names. */
export function generalNames(sans: string[]): x509.JsonGeneralName[] {
  return sans.map((value) => ({ type: isIP(value) ? "ip" : "dns", value }));
}

/** A distinguished name as JSON, so commas or quotes in a value are encoded, never parsed as separators. */
export function jsonName(commonName: string, subject: CsrSubject = {}): x509.JsonName {
  const name: x509.JsonName = [];
  for (const key of ["C", "ST", "L", "O", "OU"] as const) {
    const value = subject[key];
    if (value) name.push({ [key]: [value] });
  }
  name.push({ CN: [commonName] });
  return name;
}

export async function generateKeyAndCsr(options: {
  keyType: KeyType;
  keyOptions?: KeyOptions | undefined;
  commonName: string;
  sans?: string[];
  subject?: CsrSubject;
}): Promise<GeneratedCsr> {
  if (!options.commonName || options.commonName.trim() === "") {
    throw new CertrelayError(ErrorCodes.INPUT_MISSING, "commonName is empty: a CSR needs the domain name it is for", {
      field: "commonName",
    });
  }
  const sans = options.sans && options.sans.length > 0 ? options.sans : [options.commonName];
  const lib = await loadPeculiar();
  try {
    const keys = await generateKeyPair(options.keyType, options.keyOptions);
    // P-384 signs with SHA-384, as CAs expect of that curve (CA/B Forum BR 7.1.3.2.2)
    const ecSigning =
      options.keyOptions?.curve === "P-384"
        ? ({ name: "ECDSA", hash: "SHA-384" } as EcdsaParams)
        : signingAlgorithm("ecc");
    const csr = await lib.Pkcs10CertificateRequestGenerator.create({
      name: jsonName(options.commonName, options.subject),
      keys,
      signingAlgorithm: options.keyType === "rsa" ? RSA_KEY_ALGORITHM : ecSigning,
      extensions: [new lib.SubjectAlternativeNameExtension(generalNames(sans))],
    });
    const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
    return {
      privateKey: toPem("PRIVATE KEY", new Uint8Array(pkcs8)),
      csr: csr.toString("pem").replaceAll("\r\n", "\n").trimEnd() + "\n",
    };
  } catch (error) {
    if (error instanceof CertrelayError) throw error;
    throw new CertrelayError(
      ErrorCodes.CSR_INVALID,
      `could not build a CSR for "${options.commonName}": check commonName and sans (DNS names or IP addresses)`,
      { field: "commonName", cause: error },
    );
  }
}

function hashName(hash: unknown): string {
  const name =
    typeof hash === "string"
      ? hash
      : hash && typeof hash === "object" && "name" in hash
        ? String((hash as { name: unknown }).name)
        : "";
  return name.replace("-", "").toUpperCase();
}

function signatureName(algorithm: unknown): string {
  const alg = (algorithm ?? {}) as { name?: unknown; hash?: unknown };
  const name = typeof alg.name === "string" ? alg.name : "unknown";
  const hash = hashName(alg.hash);
  switch (name) {
    case "RSASSA-PKCS1-v1_5":
      return `${hash}withRSA`;
    case "RSA-PSS":
      return `${hash}withRSA/PSS`;
    case "ECDSA":
      return `${hash}withECDSA`;
    default:
      return hash ? `${hash}with${name}` : name;
  }
}

const CSR_TYPES = new Set(["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]);

/** Read a CSR (both the `CERTIFICATE REQUEST` and Java keytool's `NEW CERTIFICATE REQUEST` headers). */
export async function inspectCsr(pem: string, field = "csr"): Promise<CsrFacts> {
  const invalid = (detail: string, cause?: unknown): CertrelayError =>
    new CertrelayError(
      ErrorCodes.CSR_INVALID,
      `${field} ${detail}`,
      cause === undefined ? { field } : { field, cause },
    );
  let blocks;
  try {
    blocks = splitPem(pem, field);
  } catch (error) {
    if (error instanceof CertrelayError)
      throw invalid(`is not a PEM certificate request: ${error.message.replace(`${field}: `, "")}`, error);
    throw invalid("is not a PEM certificate request", error);
  }
  const block = blocks.find((b) => CSR_TYPES.has(b.type));
  if (!block) {
    throw invalid(
      `holds a ${blocks[0]?.type ?? "nothing"}, not a CERTIFICATE REQUEST: generate one with \`openssl req -new -key key.pem -out req.csr\``,
    );
  }
  const lib = await loadPeculiar();
  try {
    const csr = new lib.Pkcs10CertificateRequest(new Uint8Array(block.der));
    const spki = Buffer.from(csr.publicKey.rawData);
    const publicKey = createPublicKey({ key: spki, format: "der", type: "spki" });
    const key = describeKey(publicKey);
    let signatureValid = false;
    try {
      signatureValid = await csr.verify();
    } catch {
      signatureValid = false;
    }
    const sanExtension = csr.extensions.find(
      (e): e is x509.SubjectAlternativeNameExtension => e instanceof lib.SubjectAlternativeNameExtension,
    );
    const sans = sanExtension
      ? sanExtension.names.items.filter((n) => n.type === "dns" || n.type === "ip").map((n) => n.value)
      : [];
    const facts: CsrFacts = {
      commonName: csr.subjectName.getField("CN")[0] ?? "",
      sans,
      keyType: key.keyType,
      signatureAlgorithm: signatureName(csr.signatureAlgorithm),
      signatureValid,
      publicKeyPem: String(publicKey.export({ format: "pem", type: "spki" })),
    };
    if (key.keyBits !== undefined) facts.keyBits = key.keyBits;
    if (key.curve !== undefined) facts.curve = key.curve;
    return facts;
  } catch (error) {
    if (error instanceof CertrelayError) throw error;
    throw invalid("could not be parsed as a PKCS#10 certificate request: generate it again", error);
  }
}

/** EnOS `issueAuthority` rules (enos-apply-certificate.txt, "Certificate Type Description"). */
export function checkCsrForEnos(facts: CsrFacts, issueAuthority: "RSA" | "ECC", field = "csr"): void {
  if (!facts.signatureValid) {
    throw new CertrelayError(
      ErrorCodes.CSR_INVALID,
      `${field} has a signature that does not verify: generate the CSR again from its key`,
      { field },
    );
  }
  if (issueAuthority === "RSA") {
    if (facts.keyType !== "rsa") {
      throw new CertrelayError(
        ErrorCodes.CSR_INVALID,
        `${field} has a ${facts.keyType.toUpperCase()} key, but EnOS issueAuthority RSA requires a 2048-bit RSA key: generate an RSA-2048 CSR or use issueAuthority ECC`,
        { field },
      );
    }
    if ((facts.keyBits ?? 0) < 2048) {
      throw new CertrelayError(
        ErrorCodes.KEY_TOO_SMALL,
        `${field} has a ${facts.keyBits ?? "?"}-bit RSA key, but EnOS requires exactly 2048 bits: generate a new key with \`openssl req -newkey rsa:2048\``,
        { field },
      );
    }
    if (facts.keyBits !== 2048) {
      throw new CertrelayError(
        ErrorCodes.CSR_INVALID,
        `${field} has a ${facts.keyBits}-bit RSA key, but EnOS requires exactly 2048 bits: generate a new key with \`openssl req -newkey rsa:2048\``,
        { field },
      );
    }
    if (facts.signatureAlgorithm !== "SHA256withRSA") {
      throw new CertrelayError(
        ErrorCodes.CSR_INVALID,
        `${field} is signed with ${facts.signatureAlgorithm}, but EnOS requires SHA256withRSA: sign it with \`openssl req -sha256\``,
        { field },
      );
    }
    return;
  }
  if (facts.keyType !== "ec" || facts.curve !== "P-256") {
    throw new CertrelayError(
      ErrorCodes.CSR_INVALID,
      `${field} has a ${facts.keyType === "ec" ? `${facts.curve ?? "unknown"} EC` : facts.keyType.toUpperCase()} key, but EnOS issueAuthority ECC requires a 256-bit prime256v1 (P-256) key: generate one with \`openssl ecparam -name prime256v1 -genkey\``,
      { field },
    );
  }
  if (facts.signatureAlgorithm !== "SHA256withECDSA") {
    throw new CertrelayError(
      ErrorCodes.CSR_INVALID,
      `${field} is signed with ${facts.signatureAlgorithm}, but EnOS requires SHA256withECDSA: sign it with \`openssl req -sha256\``,
      { field },
    );
  }
}
