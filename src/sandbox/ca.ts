/**
 * A real two-level CA (root -> intermediate -> leaf) for the vendor sandboxes, tests, demo and bench. Keys are
 * real and signatures verify, so everything downstream (checkPrivateKey, chain linking, openssl) sees genuine
 * certificates; validity is whatever the caller asks for, including already expired and not yet valid.
 */
import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { DAY_MS, type CertificateMaterial, type KeyType } from "../model.js";
import { generalNames, generateKeyPair, inspectCsr, jsonName, signingAlgorithm } from "../x509/csr.js";
import { toPem } from "../x509/pem.js";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export interface IssueOptions {
  commonName: string;
  sans?: string[];
  /** Leaf key type; default rsa (RSA-2048), which every target accepts (the CDN wants PKCS#1 RSA). */
  keyType?: KeyType;
  notBefore?: Date;
  notAfter?: Date;
  /** Validity length from notBefore when notAfter is not given; default 90. */
  days?: number;
  /** Hex serial; default a random positive 16-byte number. */
  serial?: string;
}

export interface SignCsrOptions {
  notBefore?: Date;
  notAfter?: Date;
  days?: number;
  serial?: string;
  /** Override the CSR's CN / SANs (a CA may decide what it certifies). */
  commonName?: string;
  sans?: string[];
}

const DEFAULT_LEAF_DAYS = 90;
/** CA certificates start a year before "now", so backdated test leaves still sit inside their issuer's validity. */
const CA_BACKDATE_DAYS = 365;

/** X.509 times have whole seconds: truncating "now" keeps `expireIn` of a fresh N-day certificate exactly N. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** Hex serial as DER wants it: positive (leading 00 when the top bit is set), even length, at most 20 bytes. */
function serialHex(serial: string | undefined): string {
  if (serial === undefined) {
    const bytes = randomBytes(16);
    // top bit clear (positive) and second-highest set, so the serial never has a leading zero byte
    bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
    return bytes.toString("hex").toUpperCase();
  }
  let hex = serial.replaceAll(":", "").replace(/^0x/i, "").toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex) || hex.length > 40) {
    throw new CertrelayError(ErrorCodes.INPUT_INVALID, "serial must be hex (at most 20 bytes), e.g. 0A01", {
      field: "serial",
    });
  }
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return hex;
}

function pemOf(cert: x509.X509Certificate): string {
  return cert.toString("pem").replaceAll("\r\n", "\n").trimEnd() + "\n";
}

export class TestCA {
  readonly name: string;
  readonly rootPem: string;
  readonly intermediatePem: string;
  /** Intermediate then root. */
  readonly chainPem: string;
  readonly rootNotAfter: Date;
  readonly keyType: KeyType;
  private readonly intermediateCert: x509.X509Certificate;
  private readonly intermediateKey: CryptoKey;
  private readonly now: () => Date;

  private constructor(init: {
    name: string;
    keyType: KeyType;
    root: x509.X509Certificate;
    intermediate: x509.X509Certificate;
    intermediateKey: CryptoKey;
    now: () => Date;
  }) {
    this.name = init.name;
    this.keyType = init.keyType;
    this.rootPem = pemOf(init.root);
    this.intermediatePem = pemOf(init.intermediate);
    this.chainPem = this.intermediatePem + this.rootPem;
    this.rootNotAfter = init.root.notAfter;
    this.intermediateCert = init.intermediate;
    this.intermediateKey = init.intermediateKey;
    this.now = init.now;
  }

  /**
   * Root + one intermediate. `now` pins the clock for every later issue (default: the real clock at each
   * issue); `keyType` is the CA's own key (default ecc, which is fast to generate).
   */
  static async create(
    options: { name?: string; keyType?: KeyType; now?: Date; rootDays?: number } = {},
  ): Promise<TestCA> {
    const name = options.name ?? "Certrelay Test";
    const keyType = options.keyType ?? "ecc";
    const fixed = options.now ? wholeSeconds(options.now) : undefined;
    const now = fixed ? () => fixed : () => wholeSeconds(new Date());
    const start = now();
    const notBefore = new Date(start.getTime() - CA_BACKDATE_DAYS * DAY_MS);
    const rootNotAfter = new Date(start.getTime() + (options.rootDays ?? 3650) * DAY_MS);

    const [rootKeys, intermediateKeys] = await Promise.all([generateKeyPair(keyType), generateKeyPair(keyType)]);
    const rootName = jsonName(`${name} Root CA`, { O: name });
    const intermediateName = jsonName(`${name} Intermediate CA`, { O: name });
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serialHex(undefined),
      name: rootName,
      notBefore,
      notAfter: rootNotAfter,
      keys: rootKeys as unknown as CryptoKeyPairForX509,
      signingAlgorithm: signingAlgorithm(keyType),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey as unknown as PublicKeyForX509),
      ],
    });
    const intermediate = await x509.X509CertificateGenerator.create({
      serialNumber: serialHex(undefined),
      subject: intermediateName,
      issuer: root.subject,
      notBefore,
      notAfter: new Date(rootNotAfter.getTime() - DAY_MS),
      publicKey: intermediateKeys.publicKey as unknown as PublicKeyForX509,
      signingKey: rootKeys.privateKey as unknown as SigningKeyForX509,
      signingAlgorithm: signingAlgorithm(keyType),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey as unknown as PublicKeyForX509),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey as unknown as PublicKeyForX509),
      ],
    });
    return new TestCA({ name, keyType, root, intermediate, intermediateKey: intermediateKeys.privateKey, now });
  }

  /** A fresh key and a leaf certificate for it, signed by the intermediate. */
  async issue(options: IssueOptions): Promise<CertificateMaterial> {
    const keyType = options.keyType ?? "rsa";
    const keys: CryptoKeyPair = await generateKeyPair(keyType);
    const certificate = await this.sign(
      keys.publicKey,
      keyType,
      options.commonName,
      options.sans ?? [options.commonName],
      options,
    );
    const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
    return { certificate, privateKey: toPem("PRIVATE KEY", new Uint8Array(pkcs8)), chain: this.chainPem };
  }

  /** Certify the key in a CSR (its signature must verify). CN and SANs come from the CSR unless overridden. */
  async signCsr(csrPem: string, options: SignCsrOptions = {}): Promise<{ certificate: string; chain: string }> {
    const facts = await inspectCsr(csrPem);
    if (!facts.signatureValid) {
      throw new CertrelayError(
        ErrorCodes.CSR_INVALID,
        "csr signature does not verify: generate the CSR again from its key",
        { field: "csr" },
      );
    }
    const keyType: KeyType = facts.keyType === "ec" ? "ecc" : "rsa";
    const algorithm =
      keyType === "rsa"
        ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
        : { name: "ECDSA", namedCurve: facts.curve ?? "P-256" };
    const spki = new x509.PublicKey(facts.publicKeyPem);
    const publicKey = await spki.export(algorithm, ["verify"]);
    const commonName = options.commonName ?? facts.commonName;
    const sans = options.sans ?? (facts.sans.length > 0 ? facts.sans : [commonName]);
    const certificate = await this.sign(publicKey as unknown as CryptoKey, keyType, commonName, sans, options);
    return { certificate, chain: this.chainPem };
  }

  private async sign(
    publicKey: CryptoKey,
    keyType: KeyType,
    commonName: string,
    sans: string[],
    validity: { notBefore?: Date; notAfter?: Date; days?: number; serial?: string },
  ): Promise<string> {
    const notBefore = validity.notBefore ?? this.now();
    const notAfter = validity.notAfter ?? new Date(notBefore.getTime() + (validity.days ?? DEFAULT_LEAF_DAYS) * DAY_MS);
    const usage =
      keyType === "rsa"
        ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
        : x509.KeyUsageFlags.digitalSignature;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialHex(validity.serial),
      subject: jsonName(commonName),
      issuer: this.intermediateCert.subject,
      notBefore,
      notAfter,
      publicKey: publicKey as unknown as PublicKeyForX509,
      signingKey: this.intermediateKey as unknown as SigningKeyForX509,
      signingAlgorithm: signingAlgorithm(this.keyType),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(usage, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension(generalNames(sans)),
        await x509.SubjectKeyIdentifierExtension.create(publicKey as unknown as PublicKeyForX509),
        await x509.AuthorityKeyIdentifierExtension.create(this.intermediateCert),
      ],
    });
    return pemOf(cert);
  }
}

// @peculiar/x509's declarations name DOM WebCrypto types that this Node-only project does not load.
type CryptoKeyPairForX509 = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]["keys"];
type PublicKeyForX509 = Parameters<typeof x509.SubjectKeyIdentifierExtension.create>[0];
type SigningKeyForX509 = Extract<
  Parameters<typeof x509.X509CertificateGenerator.create>[0],
  { signingKey: unknown }
>["signingKey"];

/**
 * A self-signed leaf with its key, like the default certificate an appliance generates for its own web server
 * before anyone installs one. Nothing trusts it; it exists so a TLS handshake has something to present.
 */
export async function selfSignedCertificate(options: {
  commonName: string;
  days?: number;
  now?: Date;
}): Promise<CertificateMaterial> {
  const keys: CryptoKeyPair = await generateKeyPair("ecc");
  const notBefore = wholeSeconds(options.now ?? new Date());
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialHex(undefined),
    name: jsonName(options.commonName),
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.days ?? 3650) * DAY_MS),
    keys: keys as unknown as CryptoKeyPairForX509,
    signingAlgorithm: signingAlgorithm("ecc"),
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { certificate: pemOf(cert), privateKey: toPem("PRIVATE KEY", new Uint8Array(pkcs8)), chain: "" };
}
