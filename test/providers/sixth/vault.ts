/**
 * The sixth provider's "vendor": in-memory vaults by mount name, each a TestCA that signs CSRs (the issuer role) and
 * a certificate slot that serves the last one written (the target role). A test opens a mount, the definition's
 * factories find it by the entry's `mount`, and the credentials must match the mount's AppRole.
 */
import { CertrelayError, ErrorCodes } from "../../../src/errors.js";
import type {
  CertificateMaterial,
  Clock,
  DeployedCertificate,
  DeployResult,
  IssueOutcome,
  IssueRequest,
  Issuer,
  KeyType,
  Target,
  VerifyResult,
} from "../../../src/model.js";
import type { TestCA } from "../../../src/sandbox/ca.js";
import { certFacts, expireInDays } from "../../../src/x509/index.js";
import type { VaultConfig } from "./config.js";

const VENDOR = "vault";

export class MemoryVault {
  readonly roleId = "role-sixth";
  readonly secretId = "secret-sixth-Zq8";
  /** certificates written by deploys, by serial */
  readonly held = new Map<string, DeployedCertificate>();
  served: string | undefined;
  /** signed certificates by order id (= the request's reference: asking twice never signs twice) */
  readonly orders = new Map<string, { certificate: string; chain: string }>();
  signings = 0;
  writes = 0;

  constructor(
    readonly mount: string,
    readonly ca: TestCA,
    readonly clock: Clock,
  ) {}

  /** Register this mount so `provider: vault` entries naming it reach it; returns the function that removes it. */
  open(): () => void {
    mounts.set(this.mount, this);
    return () => {
      if (mounts.get(this.mount) === this) mounts.delete(this.mount);
    };
  }
}

const mounts = new Map<string, MemoryVault>();

function login(entry: VaultConfig, credentials: Partial<Record<"roleId" | "secretId", string>>): MemoryVault {
  const vault = mounts.get(entry.mount);
  if (!vault)
    throw new CertrelayError(ErrorCodes.CONFIG_INVALID, `vault mount ${entry.mount} does not exist`, {
      field: "mount",
      vendor: VENDOR,
    });
  for (const field of ["roleId", "secretId"] as const) {
    if (!credentials[field])
      throw new CertrelayError(ErrorCodes.INPUT_MISSING, `vault credentials need ${field}`, { field, vendor: VENDOR });
  }
  if (credentials.roleId !== vault.roleId || credentials.secretId !== vault.secretId) {
    throw new CertrelayError(ErrorCodes.AUTH_FAILED, `vault ${entry.mount} refused the AppRole login`, {
      field: "secretId",
      vendor: VENDOR,
    });
  }
  return vault;
}

export function createVaultTarget(
  entry: VaultConfig,
  credentials: Partial<Record<"roleId" | "secretId", string>>,
): Target {
  const vault = login(entry, credentials);
  return {
    provider: VENDOR,
    label: `vault ${entry.mount}`,
    // the pipeline's dry run never reaches a write: it inspects through verify
    async deploy(material: CertificateMaterial): Promise<DeployResult> {
      const facts = certFacts(material.certificate);
      const record: DeployedCertificate = {
        id: facts.serial,
        serial: facts.serial,
        commonName: facts.commonName,
        notAfter: facts.notAfter,
        expireIn: expireInDays(facts.notAfter, vault.clock()),
      };
      if (vault.served === facts.serial) return { ...record, changed: false };
      vault.held.set(facts.serial, record);
      vault.served = facts.serial;
      vault.writes += 1;
      return { ...record, changed: true };
    },
    async *list(): AsyncIterable<DeployedCertificate> {
      yield* vault.held.values();
    },
    async verify(serial: string): Promise<VerifyResult> {
      const ok = vault.served === serial;
      return {
        ok,
        ...(vault.served ? { servedSerial: vault.served } : {}),
        detail: ok
          ? `vault ${entry.mount} serves ${serial}`
          : `vault ${entry.mount} serves ${vault.served ?? "nothing"}`,
      };
    },
    async close() {},
  };
}

export function createVaultIssuer(
  entry: VaultConfig,
  credentials: Partial<Record<"roleId" | "secretId", string>>,
): Issuer {
  const vault = login(entry, credentials);
  const keyType: KeyType = "rsa";
  const collect = (orderId: string): IssueOutcome => {
    const order = vault.orders.get(orderId);
    return order
      ? { state: "issued", orderId, ...order }
      : { state: "pending", orderId, detail: `vault ${entry.mount} has no order ${orderId}` };
  };
  return {
    provider: VENDOR,
    label: `vault ${entry.mount}`,
    keyType,
    async issue(request: IssueRequest, options?: { dryRun?: boolean }): Promise<IssueOutcome> {
      if (options?.dryRun) return { state: "pending", orderId: "", detail: "dry run: nothing signed" };
      if (!vault.orders.has(request.reference)) {
        vault.signings += 1;
        vault.orders.set(
          request.reference,
          await vault.ca.signCsr(request.csr, { notBefore: vault.clock(), days: entry.ttlDays }),
        );
      }
      await request.onOrder?.(request.reference);
      return collect(request.reference);
    },
    async resume(orderId: string): Promise<IssueOutcome> {
      return collect(orderId);
    },
    async close() {},
  };
}
