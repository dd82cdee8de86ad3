/**
 * What the EnOS sandbox remembers: an organisation's products (maximum certificate validity, bi-directional
 * authentication flag), its devices, and the device certificates issued to them.
 */

export interface EnosProduct {
  productKey: string;
  /** the product's maximum certificate validity in days (apply/renew `validDay` above it is refused) */
  maxValidDay: number;
  /** products without bi-directional (certificate) authentication cannot get device certificates */
  biDirectional: boolean;
}

export interface EnosDevice {
  orgId: string;
  assetId: string;
  productKey: string;
  deviceKey: string;
}

/** CRL reason codes (RFC 5280) the revoke call accepts; 7 is unused in the RFC. */
export const REVOKE_REASONS = new Set([0, 1, 2, 3, 4, 5, 6, 8, 9, 10]);
/** RFC 5280 `superseded`: what an apply/renew does to the device's previous valid certificate (inferred). */
export const REASON_SUPERSEDED = 4;

export interface EnosCertRecord {
  /** decimal, as the spec's example shows ("32720") */
  certSN: string;
  assetId: string;
  cert: string;
  /** the request it was issued from: renew without a CSR reuses it (VENDOR-NOTES) */
  csr: string;
  publicKeyPem: string;
  issueAuthority: "RSA" | "ECC";
  subject: string;
  issuer: string;
  signDate: number;
  effectiveDate: number;
  expireDate: number;
  revokedAt?: number;
  revokeReason?: number;
}

/** certStatus of the list call: 0 valid, 1 revoked, 2 expired (VENDOR-NOTES). */
export function certStatus(record: EnosCertRecord, now: number): 0 | 1 | 2 {
  if (record.revokedAt !== undefined) return 1;
  if (record.expireDate <= now) return 2;
  return 0;
}

export class EnosRegistry {
  private readonly products = new Map<string, EnosProduct>();
  private readonly devicesByAsset = new Map<string, EnosDevice>();
  private readonly devicesByKey = new Map<string, EnosDevice>();
  private readonly certs = new Map<string, EnosCertRecord>();
  private readonly certsByAsset = new Map<string, EnosCertRecord[]>();

  addProduct(product: EnosProduct): void {
    this.products.set(product.productKey, { ...product });
  }

  product(productKey: string): EnosProduct | undefined {
    return this.products.get(productKey);
  }

  addDevice(device: EnosDevice): void {
    this.devicesByAsset.set(device.assetId, { ...device });
    this.devicesByKey.set(`${device.productKey}\u0000${device.deviceKey}`, { ...device });
  }

  findDevice(
    orgId: string,
    ref: { assetId?: string; productKey?: string; deviceKey?: string },
  ): EnosDevice | undefined {
    const device =
      ref.assetId !== undefined
        ? this.devicesByAsset.get(ref.assetId)
        : this.devicesByKey.get(`${ref.productKey ?? ""}\u0000${ref.deviceKey ?? ""}`);
    return device && device.orgId === orgId ? device : undefined;
  }

  get deviceCount(): number {
    return this.devicesByAsset.size;
  }

  addCert(record: EnosCertRecord): void {
    this.certs.set(record.certSN, record);
    const list = this.certsByAsset.get(record.assetId) ?? [];
    list.push(record);
    this.certsByAsset.set(record.assetId, list);
  }

  cert(certSN: string): EnosCertRecord | undefined {
    return this.certs.get(certSN);
  }

  certsOf(assetId: string): EnosCertRecord[] {
    return this.certsByAsset.get(assetId) ?? [];
  }

  allCerts(): IterableIterator<EnosCertRecord> {
    return this.certs.values();
  }
}
