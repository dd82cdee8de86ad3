/**
 * Turns config entries into the vendor objects the pipeline drives. Vendor objects are cached per endpoint,
 * credentials and settings, so one run shares one token per PBX/EnOS application (Yeastar allows only 8 live
 * tokens per application) and closes each exactly once.
 */
import type { ManagedCertificate } from "../config/index.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { Issuer, Target } from "../model.js";
import type { PollSettings } from "../pipeline/poll.js";
import type { Providers } from "../pipeline/types.js";
import { sessionCache, type SessionCache, type Store } from "../store/index.js";
import { builtInCatalog, type ProviderCatalog } from "./catalog.js";
import type { ProviderContext } from "./context.js";
import type { EntryBase } from "./kit/definition.js";

/**
 * The built-in vendor of `entry.provider` builds it (lookup by name in the catalog; no switch here). `sessions`:
 * where vendor sessions of these credentials are kept between runs (Yeastar tokens), when a store has them.
 */
export function createTarget(
  entry: EntryBase,
  credentials: Record<string, string>,
  ctx: ProviderContext,
  sessions?: SessionCache,
): Target {
  return builtInCatalog().createTarget(entry, credentials, ctx, sessions);
}

/** A vendor that cannot be a pipeline issuer (yeastar) is refused with its definition's `notAnIssuer` reason. */
export function createIssuer(entry: EntryBase, credentials: Record<string, string>, ctx: ProviderContext): Issuer {
  return builtInCatalog().createIssuer(entry, credentials, ctx);
}

/** Providers backed by a store for credentials, caching vendor objects for the whole run. */
export class StoreBackedProviders implements Providers {
  private readonly targets = new Map<string, Promise<Target>>();
  private readonly issuers = new Map<string, Promise<Issuer>>();
  private readonly credentials = new Map<string, Promise<Record<string, string>>>();
  /** cache key ("issuer " / "target " + entry) -> certificates expected to ask for it and not yet released */
  private readonly expected = new Map<string, number>();

  private readonly ctx: ProviderContext;

  /** `catalog`: the vendors entries may name (default: the built-in ones); a test adds its own provider here. */
  constructor(
    private readonly store: Store,
    ctx: ProviderContext,
    private readonly catalog: ProviderCatalog = builtInCatalog(),
  ) {
    // one session cache per run: vendor clients shared per account by every target and issuer of this run
    this.ctx = { ...ctx, sessions: new Map() };
  }

  /** the run's poll window, for the pipeline's one poll loop (the same bounds the vendors were built with) */
  get poll(): PollSettings {
    return { clock: this.ctx.clock, sleep: this.ctx.sleep, poll: this.ctx.poll, deadline: this.ctx.deadline };
  }

  async issuerFor(certificate: ManagedCertificate): Promise<Issuer | undefined> {
    const config = certificate.issuer;
    if (!config) return undefined;
    return this.cached(this.issuers, config, async () =>
      this.catalog.createIssuer(config, await this.checkedCredentials(config.provider, config.credentials), {
        ...this.ctx,
        store: this.store,
      }),
    );
  }

  async targetsFor(certificate: ManagedCertificate): Promise<Target[]> {
    return Promise.all(
      certificate.targets.map((config) =>
        this.cached(this.targets, config, async () =>
          this.catalog.createTarget(
            config,
            await this.checkedCredentials(config.provider, config.credentials),
            this.ctx,
            sessionCache(this.store, config.credentials, config.endpoint ?? config.provider, {
              deadline: this.ctx.deadline,
            }),
          ),
        ),
      ),
    );
  }

  expect(certificates: readonly ManagedCertificate[]): void {
    for (const certificate of certificates) {
      for (const key of usesOf(certificate)) this.expected.set(key, (this.expected.get(key) ?? 0) + 1);
    }
  }

  async release(certificate: ManagedCertificate): Promise<void> {
    const closing: Promise<Issuer | Target>[] = [];
    for (const key of usesOf(certificate)) {
      const left = this.expected.get(key);
      if (left === undefined) continue;
      if (left > 1) {
        this.expected.set(key, left - 1);
        continue;
      }
      this.expected.delete(key);
      const [cache, entry] = key.startsWith(ISSUER)
        ? [this.issuers, key.slice(ISSUER.length)]
        : [this.targets, key.slice(TARGET.length)];
      const made = cache.get(entry);
      if (made === undefined) continue;
      cache.delete(entry);
      closing.push(made);
    }
    await Promise.allSettled(closing.map(async (p) => (await p).close()));
  }

  async close(): Promise<void> {
    const all = [...this.targets.values(), ...this.issuers.values()];
    this.targets.clear();
    this.issuers.clear();
    this.expected.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
    // vendor clients the run's targets and issuers shared (ctx.sessions): closed once, here, after all their users
    const shared = [...(this.ctx.sessions?.values() ?? [])];
    this.ctx.sessions?.clear();
    await Promise.allSettled(shared.map(async (s) => (isClosable(s) ? s.close() : undefined)));
  }

  /**
   * The secret's fields, checked against what the provider reads before any vendor object exists: a config run's
   * user fixes the secret, so the error names the secret id and its JSON key (the Action names its inputs instead).
   * Names and the schema's own wording only, never a value.
   */
  private async checkedCredentials(provider: string, secretId: string): Promise<Record<string, string>> {
    const credentials = await this.credentialsFor(secretId);
    const checked = this.catalog.definition(provider)?.credentials.safeParse(credentials);
    const issue = checked?.success === false ? checked.error.issues[0] : undefined;
    if (issue) {
      const key = String(issue.path[0] ?? "");
      const missing = !(key in credentials);
      throw new CertrelayError(
        missing ? ErrorCodes.INPUT_MISSING : ErrorCodes.INPUT_INVALID,
        missing
          ? `credentials secret '${secretId}' has no ${key}, which provider ${provider} reads (${issue.message}): add "${key}" to that secret's JSON`
          : `credentials secret '${secretId}' field ${key} is empty or not text (${issue.message}): set "${key}" in that secret's JSON`,
        { field: key, vendor: provider },
      );
    }
    return credentials;
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

const ISSUER = "issuer ";
const TARGET = "target ";

/** The cache keys (see `cached`) a certificate's issuer and targets are kept under, prefixed by role. */
function usesOf(certificate: ManagedCertificate): string[] {
  return [
    ...(certificate.issuer ? [ISSUER + JSON.stringify(certificate.issuer)] : []),
    ...certificate.targets.map((config) => TARGET + JSON.stringify(config)),
  ];
}

function isClosable(value: unknown): value is { close(): Promise<void> } {
  return typeof value === "object" && value !== null && typeof (value as { close?: unknown }).close === "function";
}
