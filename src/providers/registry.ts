/**
 * Turns config entries into the vendor objects the pipeline drives. Vendor objects are cached per endpoint,
 * credentials and settings, so one run shares one token per PBX/EnOS application (Yeastar allows only 8 live
 * tokens per application) and closes each exactly once.
 */
import type { IssuerConfig, ManagedCertificate, TargetConfig } from "../config/index.js";
import { ErrorCodes, InputError } from "../errors.js";
import type { Issuer, Target } from "../model.js";
import type { Providers } from "../pipeline/types.js";
import { sessionCache, type SessionCache, type Store } from "../store/index.js";
import { createAcmeIssuer } from "./acme/index.js";
import { createCdnTarget } from "./cdn/index.js";
import type { ProviderContext } from "./context.js";
import { createEnosIssuer, createEnosTarget } from "./enos/index.js";
import { createResellerIssuer } from "./reseller/index.js";
import { createYeastarTarget } from "./yeastar/index.js";

/** `sessions`: where vendor sessions of these credentials are kept between runs (Yeastar tokens), when a store has them. */
export function createTarget(config: TargetConfig, credentials: Record<string, string>, ctx: ProviderContext, sessions?: SessionCache): Target {
  switch (config.provider) {
    case "yeastar":
      return createYeastarTarget({ endpoint: config.endpoint, certificateType: config.certificateType, pruneOld: config.pruneOld }, credentials as { username: string; password: string }, ctx, sessions);
    case "cdn":
      return createCdnTarget(
        {
          endpoint: config.endpoint,
          ...(config.verifyHost ? { verifyHost: config.verifyHost } : {}),
          ...(config.verifyAddress ? { verifyAddress: config.verifyAddress } : config.verifyPort && config.verifyHost ? { verifyAddress: `${config.verifyHost}:${config.verifyPort}` } : {}),
          ...(config.serviceId ? { serviceId: config.serviceId } : {}),
        },
        credentials,
        ctx,
      );
    case "enos":
      return createEnosTarget(enosSettings(config), credentials as { appKey: string; appSecret: string }, ctx);
  }
}

export function createIssuer(config: IssuerConfig, credentials: Record<string, string>, ctx: ProviderContext): Issuer {
  switch (config.provider) {
    case "reseller":
      return createResellerIssuer(
        {
          endpoint: config.endpoint,
          dcvType: config.dcvType,
          ...(config.plan ? { plan: config.plan } : {}),
          ...(config.certificateId ? { certificateId: config.certificateId } : {}),
          ...(config.approverEmail ? { approverEmail: config.approverEmail } : {}),
        },
        credentials as { username: string; apiKey: string },
        ctx,
      );
    case "enos":
      return createEnosIssuer(enosSettings(config), credentials as { appKey: string; appSecret: string }, ctx);
    case "acme":
      return createAcmeIssuer(config, credentials, ctx);
    case "yeastar":
      // The PBX keeps the key of a certificate it applies for, so nothing could be stored or deployed elsewhere.
      throw new InputError(
        ErrorCodes.CONFIG_INVALID,
        "yeastar cannot be a pipeline issuer: a PBX-applied certificate never leaves the PBX. Use the Action's `operation: apply` with provider yeastar, or issue through reseller/enos and list the PBX as a target",
        { field: "issuer.provider", vendor: "yeastar" },
      );
  }
}

function enosSettings(config: Extract<TargetConfig | IssuerConfig, { provider: "enos" }>) {
  return {
    endpoint: config.endpoint,
    orgId: config.orgId,
    ...(config.assetId ? { assetId: config.assetId } : {}),
    ...(config.productKey ? { productKey: config.productKey } : {}),
    ...(config.deviceKey ? { deviceKey: config.deviceKey } : {}),
    ...(config.validDays ? { validDays: config.validDays } : {}),
    ...(config.issueAuthority ? { issueAuthority: config.issueAuthority } : {}),
  };
}

/** Providers backed by a store for credentials, caching vendor objects for the whole run. */
export class StoreBackedProviders implements Providers {
  private readonly targets = new Map<string, Promise<Target>>();
  private readonly issuers = new Map<string, Promise<Issuer>>();
  private readonly credentials = new Map<string, Promise<Record<string, string>>>();

  private readonly ctx: ProviderContext;

  constructor(
    private readonly store: Store,
    ctx: ProviderContext,
  ) {
    // one session cache per run: vendor clients shared per account by every target and issuer of this run
    this.ctx = { ...ctx, sessions: new Map() };
  }

  async issuerFor(certificate: ManagedCertificate): Promise<Issuer | undefined> {
    const config = certificate.issuer;
    if (!config) return undefined;
    return this.cached(this.issuers, config, async () => createIssuer(config, await this.credentialsFor(config.credentials), { ...this.ctx, store: this.store }));
  }

  async targetsFor(certificate: ManagedCertificate): Promise<Target[]> {
    return Promise.all(
      certificate.targets.map((config) =>
        this.cached(this.targets, config, async () => createTarget(config, await this.credentialsFor(config.credentials), this.ctx, sessionCache(this.store, config.credentials, config.endpoint))),
      ),
    );
  }

  async close(): Promise<void> {
    const all = [...this.targets.values(), ...this.issuers.values()];
    this.targets.clear();
    this.issuers.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }

  private credentialsFor(secretId: string): Promise<Record<string, string>> {
    let found = this.credentials.get(secretId);
    if (!found) {
      found = this.store.getCredentials(secretId);
      this.credentials.set(secretId, found);
      found.catch(() => this.credentials.delete(secretId));
    }
    return found;
  }

  private cached<T>(cache: Map<string, Promise<T>>, config: object, create: () => Promise<T>): Promise<T> {
    const key = JSON.stringify(config);
    let found = cache.get(key);
    if (!found) {
      found = create();
      cache.set(key, found);
      found.catch(() => cache.delete(key));
    }
    return found;
  }
}
