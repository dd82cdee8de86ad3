/**
 * The fleet of the fleet bench: N managed certificates with real (test-CA) PEM material, 5 % inside the 30-day
 * renewal window, each on one or two targets: the CDN account (verified through its API, no edge probe) and/or
 * an EnOS device of its own. Generated once per size and kept in bench/.out/ (ECDSA signing is the slow part).
 */
import { webcrypto } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { TestCA } from "../src/sandbox/ca.js";

const DAY_MS = 86_400_000;
/** a plan older than this would shift certificates across the renewal window */
const MAX_PLAN_AGE_MS = 12 * 3_600_000;
export const RENEW_BEFORE_DAYS = 30;

export interface FleetCertificate {
  name: string;
  secret: string;
  commonName: string;
  /** upper hex */
  serial: string;
  notBefore: number;
  notAfter: number;
  certificate: string;
  privateKey: string;
  chain: string;
  /** held by the CDN account (verified through its certificate list) */
  cdn: boolean;
  /** the EnOS device (assetId) that holds it, if any */
  enosDevice?: string;
  due: boolean;
}

export interface FleetPlan {
  createdAt: number;
  certificates: FleetCertificate[];
}

/** What the sandbox child reports once it listens. Credentials are the sandboxes' fixed demo values. */
export interface FleetChildInfo {
  cdn: { url: string; credentials: { accessKeyId: string; accessKeySecret: string } };
  enos: { url: string; credentials: { appKey: string; appSecret: string }; orgId: string };
  reseller: { url: string; credentials: { username: string; apiKey: string } };
}

export const OUT_DIR = new URL("./.out/", import.meta.url);

/** Certificate i: 1 in 20 due; targets cycle CDN / EnOS / CDN+EnOS, so a third of the fleet has two. */
function shape(
  i: number,
  now: number,
): Pick<FleetCertificate, "cdn" | "enosDevice" | "due" | "notBefore" | "notAfter"> {
  const due = i % 20 === 0;
  const daysLeft = due ? 5 + ((i / 20) % 20) : RENEW_BEFORE_DAYS + 15 + (i % 40);
  const notAfter = now + daysLeft * DAY_MS + 3_600_000;
  const kind = i % 3;
  return {
    due,
    notBefore: notAfter - 90 * DAY_MS,
    notAfter,
    cdn: kind !== 1,
    ...(kind !== 0 ? { enosDevice: `fleet-device-${i}` } : {}),
  };
}

type Signer = {
  sign(
    publicKey: webcrypto.CryptoKey,
    keyType: "ecc",
    commonName: string,
    sans: string[],
    validity: { notBefore: Date; notAfter: Date; serial: string },
  ): Promise<string>;
};

export async function fleetPlan(size: number): Promise<FleetPlan> {
  const file = new URL(`fleet-plan-${size}.json`, OUT_DIR);
  if (existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, "utf8")) as FleetPlan;
    if (Date.now() - cached.createdAt < MAX_PLAN_AGE_MS && cached.certificates.length === size) return cached;
  }
  const now = Date.now();
  const ca = await TestCA.create({ name: "Certrelay Fleet Bench" });
  // One ECDSA key for the whole fleet: what is measured is reading and checking certificates, not their keys.
  const keys = (await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  const privateKey = `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/.{1,64}/g, "$&\n")}-----END PRIVATE KEY-----\n`;
  const signer = ca as unknown as Signer;
  const certificates: FleetCertificate[] = [];
  for (let i = 0; i < size; i += 1) {
    const s = shape(i, now);
    const commonName = `host-${i}.fleet.example`;
    const serial = `7A${i.toString(16).toUpperCase().padStart(8, "0")}`;
    const certificate = await signer.sign(keys.publicKey, "ecc", commonName, [commonName], {
      notBefore: new Date(s.notBefore),
      notAfter: new Date(s.notAfter),
      serial,
    });
    certificates.push({
      name: `fleet-${i}`,
      secret: `certrelay/fleet/${i}`,
      commonName,
      serial,
      certificate,
      privateKey,
      chain: ca.chainPem,
      ...s,
    });
  }
  const plan: FleetPlan = { createdAt: now, certificates };
  mkdirSync(OUT_DIR, { recursive: true });
  const temp = new URL(`fleet-plan-${size}.json.${process.pid}.tmp`, OUT_DIR);
  writeFileSync(temp, JSON.stringify(plan));
  renameSync(temp, file);
  return plan;
}

/** certrelay.yml for the plan: every certificate with the reseller issuer (not contacted by a scan) and its targets. */
export function fleetConfigYaml(plan: FleetPlan, info: FleetChildInfo, concurrency: number): string {
  const lines = [`renewBeforeDays: ${RENEW_BEFORE_DAYS}`, `concurrency: ${concurrency}`, "certificates:"];
  for (const c of plan.certificates) {
    lines.push(
      `  - name: ${c.name}`,
      `    secret: ${c.secret}`,
      `    commonName: ${c.commonName}`,
      "    issuer:",
      "      provider: reseller",
      `      endpoint: ${info.reseller.url}`,
      "      credentials: certrelay/fleet-creds/reseller",
      "      dcvType: DNS",
      "    targets:",
    );
    if (c.cdn)
      lines.push(
        "      - provider: cdn",
        `        endpoint: ${info.cdn.url}`,
        "        credentials: certrelay/fleet-creds/cdn",
      );
    if (c.enosDevice) {
      lines.push(
        "      - provider: enos",
        `        endpoint: ${info.enos.url}`,
        "        credentials: certrelay/fleet-creds/enos",
        `        orgId: ${info.enos.orgId}`,
        `        assetId: ${c.enosDevice}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
