/**
 * What the PBX checks in an imported certificate file. Uses node:crypto directly so the sandbox judges files on
 * its own, independently of the client's x509 helpers.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";

export interface PemProblem {
  detail: string;
}

export interface ImportedFile {
  leaf: X509Certificate;
  key?: KeyObject;
  chain: X509Certificate[];
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

function blocks(text: string): { label: string; pem: string }[] {
  return [...text.matchAll(BLOCK)].map((m) => ({ label: m[1] ?? "", pem: m[0] }));
}

/**
 * trusted: the file must hold a CA certificate.
 * server (upload): certificate + private key + optional chain in one PEM file (inferred: the docs show a single
 * `file` field, so the key must travel inside it), and the key must match the certificate.
 */
export function readImportedFile(text: string, type: "trusted" | "server"): ImportedFile | PemProblem {
  const found = blocks(text);
  const certs: X509Certificate[] = [];
  let key: KeyObject | undefined;
  for (const b of found) {
    if (b.label === "CERTIFICATE") {
      try {
        certs.push(new X509Certificate(b.pem));
      } catch {
        return { detail: "the file holds a certificate block that does not parse" };
      }
    } else if (/PRIVATE KEY$/.test(b.label)) {
      if (b.label.startsWith("ENCRYPTED")) return { detail: "the private key is encrypted; import an unencrypted key" };
      if (key) return { detail: "the file holds more than one private key" };
      try {
        key = createPrivateKey(b.pem);
      } catch {
        return { detail: "the private key does not parse" };
      }
    }
  }
  const leaf = certs[0];
  if (!leaf) return { detail: "the file holds no PEM certificate" };
  if (type === "trusted") {
    if (!leaf.ca) return { detail: "a trusted certificate must be a CA certificate" };
    return { leaf, chain: certs.slice(1) };
  }
  if (!key) return { detail: "a server certificate file must hold the certificate and its private key" };
  if (!leaf.checkPrivateKey(key)) return { detail: "the private key does not match the certificate" };
  return { leaf, key, chain: certs.slice(1) };
}

export function normalizedSerial(cert: X509Certificate): string {
  return cert.serialNumber.toUpperCase().replace(/^0+(?=.)/, "");
}

export function commonNameOf(cert: X509Certificate): string {
  const m = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject);
  return m?.[1] ?? "";
}
