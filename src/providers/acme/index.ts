/**
 * An ACME CA (RFC 8555: Let's Encrypt, or any other) as a certrelay Issuer, over acme-client, validating with
 * DNS-01 through a lego-shaped DNS provider.
 *
 * - The account key lives in the issuer's credentials secret: made on first use by one run holding that secret's
 *   lease (runs in other processes wait for it), written back before the account is registered, reused by every
 *   later run (so the CA sees one account). Never logged.
 * - The order URL is handed to the pipeline (`onOrder`) as soon as the order exists, so a crash between order and
 *   finalize resumes that order instead of opening another.
 * - A request seen before (a run that died before storing the order URL, a newOrder whose answer was lost) is found
 *   in the account's orders list where the CA serves one (RFC 8555 §7.1.2.1), so it never places a second order.
 * - Reads are retried on 5xx or no answer (ctx.retry, within the deadline); writes are sent once.
 * - Each ask answers once (issued, or pending while the CA validates or issues); the pipeline's poll loop asks again.
 * - A failed validation is never retried in the same run: it ends in an error carrying the CA's problem document and
 *   a backoff the pipeline persists. TXT records are removed once the CA decided, on error, or at close().
 * - ARI (RFC 9773) and profiles are used when the directory offers them.
 */
import { createPublicKey, randomUUID, X509Certificate, type KeyObject } from "node:crypto";
import type { Authorization, Client, Order } from "acme-client";
import { createDnsProvider, type DnsChallengeProvider, type DnsProviderConfig } from "../../dns/index.js";
import { CertrelayError, ErrorCodes, isVendorError } from "../../errors.js";
import type { IssueOutcome, IssueRequest, Issuer, KeyOptions, KeyType, RenewalAdvice } from "../../model.js";
import { inspectCsr, splitPem } from "../../x509/index.js";
import type { Store } from "../../store/index.js";
import { withLease } from "../../store/lease.js";
import type { ProviderContext } from "../context.js";
import { writeOnce } from "../kit/landed.js";
import { ariCertId, renewalTimeInWindow } from "./ari.js";
import { AcmeConnection } from "./client.js";
import { directoryUrlOf, type AcmeKeyType } from "./config.js";
import {
  AcmeHttpError,
  AcmeTransportError,
  describeProblem,
  FAILED_VALIDATION_BACKOFF_MS,
  mapAcmeError,
} from "./errors.js";
import { backoffDelay, resolveRetryPolicy } from "../../http/retry.js";
import type { AcmeProblem, RenewalInfo } from "./types.js";

export { acmeSchema, type AcmeConfig, DIRECTORY_PRESETS } from "./config.js";

const VENDOR = "acme";
/** RFC 9773 §4.3: without Retry-After, ask again in six hours at the earliest. */
const ARI_DEFAULT_RECHECK_MS = 6 * 60 * 60 * 1000;
/**
 * The credentials secret's lease while one run makes the ACME account: how long it lasts if its holder dies (a
 * Secrets Manager lease; the file store's lock goes stale on its own), and how long another run waits for it.
 */
const ACCOUNT_LEASE_TTL_MS = 60_000;
const ACCOUNT_WAIT_MS = 90_000;

export interface AcmeSettings {
  directory: string;
  /** the store secret that holds the account key (and EAB keys) */
  credentials: string;
  email?: string;
  acceptTos: boolean;
  keyType: AcmeKeyType;
  profile?: string;
  dns: DnsProviderConfig;
}

/** Credential keys: `accountKey` + `accountUrl` + `accountDirectory` (written by certrelay), `eabKid` + `eabHmacKey` (from the CA). */
export type AcmeCredentials = Record<string, string>;

const KEY_TYPES: Record<AcmeKeyType, { keyType: KeyType; keyOptions: KeyOptions }> = {
  rsa2048: { keyType: "rsa", keyOptions: { rsaBits: 2048 } },
  rsa3072: { keyType: "rsa", keyOptions: { rsaBits: 3072 } },
  ec256: { keyType: "ecc", keyOptions: { curve: "P-256" } },
  ec384: { keyType: "ecc", keyOptions: { curve: "P-384" } },
};

/** The key type (rsa|ecc) an entry's `keyType` makes: what a certificate's own keyType is checked against. */
export function acmeKeyTypeOf(keyType: AcmeKeyType): KeyType {
  return KEY_TYPES[keyType].keyType;
}

/**
 * Account set-ups in flight per (secret, directory): issuers of one run that share a secret wait for the same one
 * instead of each registering a fresh key. Once settled the store is the only source: every later issuer reads it.
 */
const accounts = new Map<string, Promise<{ accountKey: string; accountUrl: string }>>();

/**
 * Renewal information per (directory, certID) for as long as the CA's Retry-After says (RFC 9773 §4.3). Kept for the
 * process, so a warm Lambda or a long-running CLI does not ask again before the CA wants it to.
 */
const ariChecks = new Map<string, { advice: RenewalAdvice | undefined; nextCheck: number; run: number }>();
/**
 * Tells one run from another (see `AcmeOrders.run`). A run is its provider registry, seen through the `sessions` map
 * the registry puts in every context it hands out: a fleet scan lets go of an issuer once a certificate is judged,
 * so the rotation that follows may get a new issuer of the same run. Numbers, so an entry keeps no run alive.
 */
const runIds = new WeakMap<object, number>();
let runs = 0;
function runOf(ctx: ProviderContext, issuer: object): number {
  const key = ctx.sessions ?? issuer;
  let id = runIds.get(key);
  if (id === undefined) runIds.set(key, (id = ++runs));
  return id;
}

type PresentedRecord = { domain: string; token: string; keyAuth: string };
type ChallengeLike = { type: string; url: string; token: string; status: string; error?: AcmeProblem };

class AcmeOrders {
  private connection: Promise<AcmeConnection> | undefined;
  private clientPromise: Promise<Client> | undefined;
  private dnsProvider: DnsChallengeProvider | undefined;
  /** DNS-01 records published per order URL (and the authorizations they answer), until the CA decided */
  private readonly challenges = new Map<string, { records: PresentedRecord[]; authorizations: string[] }>();
  readonly directoryUrl: string;
  /**
   * The run this issuer belongs to (see runOf). What the CA said about a certificate this run is
   * its answer for the whole run, even when its Retry-After allows asking again at once: the scheduler's scan and
   * the rotation it hands the certificate to share one request.
   */
  private readonly run: number;

  constructor(
    readonly settings: AcmeSettings,
    private readonly credentials: AcmeCredentials,
    private readonly ctx: ProviderContext,
  ) {
    this.directoryUrl = directoryUrlOf(settings.directory);
    this.run = runOf(ctx, this);
  }

  private now(): Date {
    return this.ctx.clock();
  }

  private async call<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw mapAcmeError(error, action, this.directoryUrl, this.now());
    }
  }

  /**
   * A read (directory, account, order, authorization, certificate download: GET or POST-as-GET) retried like every
   * vendor's GETs (ctx.retry, within the run's deadline) when the CA did not answer or answered 5xx. Each try is a
   * new acme-client call, so a POST-as-GET is signed again with a fresh nonce. Writes go through call(), sent once.
   */
  private async read<T>(action: string, work: () => Promise<T>): Promise<T> {
    const policy = resolveRetryPolicy(this.ctx.retry);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        const transient =
          error instanceof AcmeTransportError || (error instanceof AcmeHttpError && error.status >= 500);
        const waitMs = error instanceof AcmeHttpError ? error.retryAfterMs : undefined;
        const delayMs = waitMs ?? backoffDelay(attempt, policy);
        const withinDeadline = !this.ctx.deadline || delayMs < this.ctx.deadline.remaining();
        if (!transient || attempt > policy.retries || delayMs > policy.maxRetryAfterMs || !withinDeadline)
          throw mapAcmeError(error, action, this.directoryUrl, this.now());
        this.ctx.logger.warn(`ACME read failed; retrying`, {
          directory: this.directoryUrl,
          action,
          attempt,
          error: error instanceof Error ? error.message : String(error),
        });
        await this.ctx.sleep(delayMs);
      }
    }
  }

  conn(): Promise<AcmeConnection> {
    this.connection ??= AcmeConnection.open(this.directoryUrl, this.ctx);
    return this.connection;
  }

  dns(): DnsChallengeProvider {
    this.dnsProvider ??= createDnsProvider(this.settings.dns, {
      clock: this.ctx.clock,
      sleep: this.ctx.sleep,
      logger: this.ctx.logger,
      ...(this.ctx.aws ? { aws: this.ctx.aws } : {}),
      ...(this.ctx.deadline ? { deadline: this.ctx.deadline } : {}),
      ...(this.ctx.ca ? { ca: this.ctx.ca } : {}),
      ...(this.ctx.timeoutMs ? { timeoutMs: this.ctx.timeoutMs } : {}),
      secrets: this.credentials,
    });
    return this.dnsProvider;
  }

  client(): Promise<Client> {
    this.clientPromise ??= this.openClient();
    this.clientPromise.catch(() => {
      this.clientPromise = undefined;
    });
    return this.clientPromise;
  }

  private eab(source: AcmeCredentials): { kid: string; hmacKey: string } | undefined {
    const kid = source.eabKid;
    const hmacKey = source.eabHmacKey;
    if (!kid && !hmacKey) return undefined;
    if (!kid || !hmacKey)
      throw new CertrelayError(
        ErrorCodes.INPUT_MISSING,
        `ACME credentials secret ${this.settings.credentials} needs both eabKid and eabHmacKey (External Account Binding from the CA)`,
        { field: kid ? "eabHmacKey" : "eabKid", vendor: VENDOR },
      );
    return { kid, hmacKey };
  }

  private async openClient(): Promise<Client> {
    const connection = await this.conn();
    const key = `${this.settings.credentials}\n${this.directoryUrl}`;
    let account = accounts.get(key);
    if (!account) {
      account = this.ensureAccount(connection);
      accounts.set(key, account);
      account.then(
        () => accounts.delete(key),
        () => accounts.delete(key),
      );
    }
    const { accountKey, accountUrl } = await account;
    const eab = this.eab(this.credentials);
    return connection.client({ accountKey, accountUrl, ...(eab ? { externalAccountBinding: eab } : {}) });
  }

  /**
   * The stored account, or a new one made by exactly one run: a new key written to the store first and then
   * registered (RFC 8555 §7.3). Runs in other processes (a schedule, a manual run, a Lambda retry) that also find no
   * account wait for the one holding the credentials secret's lease and then use what it stored, so the CA sees one
   * account and no run's key is overwritten.
   */
  private async ensureAccount(connection: AcmeConnection): Promise<{ accountKey: string; accountUrl: string }> {
    const store = this.ctx.store;
    // read again rather than trust the run's cached copy: another issuer of this run may have just written it
    const stored = store ? await store.getCredentials(this.settings.credentials) : this.credentials;
    const ready = this.storedAccount(stored);
    if (ready) return ready;
    if (!store?.putCredentials) {
      throw new CertrelayError(
        ErrorCodes.CONFIG_INVALID,
        `the ACME issuer keeps its account key in ${this.settings.credentials}, but this store cannot write it; run it through the pipeline (certrelay run, the Lambda) with a Secrets Manager or file store`,
        { field: "issuer.credentials", vendor: VENDOR },
      );
    }
    const put = store.putCredentials.bind(store);
    return withLease(
      store,
      this.settings.credentials,
      async () => {
        // the run that held the lease before us may have finished the account meanwhile
        const latest = await store.getCredentials(this.settings.credentials);
        return this.storedAccount(latest) ?? (await this.registerAccount(connection, put, latest));
      },
      {
        owner: `acme-account ${randomUUID()}`,
        ttlMs: ACCOUNT_LEASE_TTL_MS,
        waitMs: ACCOUNT_WAIT_MS,
        deadline: this.ctx.deadline,
        what: `create the ACME account kept in ${this.settings.credentials}`,
        gaveUp: (holder, waitedMs) =>
          new CertrelayError(
            ErrorCodes.TIMEOUT,
            `another run (${holder}) is creating the ACME account kept in ${this.settings.credentials} and did not finish within ${Math.round(waitedMs / 1000)} s; the next run uses the account it stores`,
            { field: "issuer.credentials", vendor: VENDOR },
          ),
      },
    );
  }

  private storedAccount(stored: AcmeCredentials): { accountKey: string; accountUrl: string } | undefined {
    return stored.accountKey && stored.accountUrl && stored.accountDirectory === this.directoryUrl
      ? { accountKey: stored.accountKey, accountUrl: stored.accountUrl }
      : undefined;
  }

  /** Under the credentials secret's lease: the key is stored, then registered, then its account URL stored. */
  private async registerAccount(
    connection: AcmeConnection,
    put: NonNullable<Store["putCredentials"]>,
    stored: AcmeCredentials,
  ): Promise<{ accountKey: string; accountUrl: string }> {
    // a key left by a run that died before it stored the account URL is registered again: the CA answers with the
    // account it already has for that key (RFC 8555 §7.3.1), so no second account is made
    let accountKey = stored.accountKey;
    if (!accountKey) {
      accountKey = (await connection.acme.crypto.createPrivateEcdsaKey("P-256")).toString();
      // the key is kept before the CA hears of it: an account whose key was lost could never be used again
      await put(this.settings.credentials, { ...stored, accountKey });
    }
    const directory = await this.read("read the directory", () => connection.directory());
    if (directory.meta?.termsOfService && !this.settings.acceptTos) {
      throw new CertrelayError(
        ErrorCodes.CONFIG_INVALID,
        `the CA at ${this.directoryUrl} requires agreeing to its terms of service (${directory.meta.termsOfService}): read them and set issuer acceptTos: true`,
        { field: "issuer.acceptTos", vendor: VENDOR },
      );
    }
    const eab = this.eab(stored);
    if (directory.meta?.externalAccountRequired && !eab) {
      throw new CertrelayError(
        ErrorCodes.INPUT_MISSING,
        `the CA at ${this.directoryUrl} requires External Account Binding: put eabKid and eabHmacKey from the CA into ${this.settings.credentials}`,
        { field: "eabKid", vendor: VENDOR },
      );
    }
    const client = connection.client({ accountKey, ...(eab ? { externalAccountBinding: eab } : {}) });
    await this.call("register the ACME account", () =>
      client.createAccount({
        termsOfServiceAgreed: this.settings.acceptTos,
        ...(this.settings.email ? { contact: [`mailto:${this.settings.email}`] } : {}),
      }),
    );
    const accountUrl = client.getAccountUrl();
    await put(this.settings.credentials, {
      ...stored,
      accountKey,
      accountUrl,
      accountDirectory: this.directoryUrl,
    });
    this.ctx.logger.info("ACME account registered", { directory: this.directoryUrl, account: accountUrl });
    return { accountKey, accountUrl };
  }

  async renewalAdvice(certificate: string): Promise<RenewalAdvice | undefined> {
    const connection = await this.conn();
    const directory = await this.read("read the directory", () => connection.directory());
    if (!directory.renewalInfo) return undefined;
    const certId = await ariCertId(certificate);
    const cacheKey = `${this.directoryUrl}\n${certId}`;
    const cached = ariChecks.get(cacheKey);
    if (cached && (cached.run === this.run || this.now().getTime() < cached.nextCheck)) return cached.advice;
    const url = `${directory.renewalInfo.replace(/\/$/, "")}/${certId}`;
    let answer: { data: RenewalInfo; retryAfterMs: number | undefined };
    try {
      answer = await connection.get<RenewalInfo>(url);
    } catch (error) {
      // RFC 9773 §4.3: when renewal information cannot be had, the client falls back on its own schedule
      this.ctx.logger.warn("ACME renewal information unavailable; using the days rule", {
        directory: this.directoryUrl,
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
    const start = new Date(answer.data.suggestedWindow?.start ?? "");
    const end = new Date(answer.data.suggestedWindow?.end ?? "");
    let advice: RenewalAdvice | undefined;
    if (!Number.isNaN(start.getTime()) && !Number.isNaN(end.getTime()) && end.getTime() >= start.getTime()) {
      const renewAt = renewalTimeInWindow(certId, start, end);
      advice = {
        renewAt,
        detail: `the CA suggests renewing between ${start.toISOString()} and ${end.toISOString()} (ACME renewal information${answer.data.explanationURL ? `, see ${answer.data.explanationURL}` : ""}); chosen ${renewAt.toISOString()}`,
      };
    }
    ariChecks.set(cacheKey, {
      advice,
      nextCheck: this.now().getTime() + (answer.retryAfterMs ?? ARI_DEFAULT_RECHECK_MS),
      run: this.run,
    });
    return advice;
  }

  async newOrder(request: IssueRequest): Promise<Order> {
    const connection = await this.conn();
    const client = await this.client();
    const directory = await this.read("read the directory", () => connection.directory());
    const profile = this.settings.profile;
    if (profile !== undefined) {
      const offered = Object.keys(directory.meta?.profiles ?? {});
      if (!offered.includes(profile)) {
        throw new CertrelayError(
          ErrorCodes.CONFIG_INVALID,
          offered.length === 0
            ? `the CA at ${this.directoryUrl} offers no certificate profiles, so issuer profile '${profile}' cannot be used; remove it`
            : `the CA at ${this.directoryUrl} does not offer profile '${profile}'; it offers: ${offered.join(", ")}`,
          { field: "issuer.profile", vendor: VENDOR },
        );
      }
    }
    // RFC 9773 §5: name the certificate this order replaces, only when the CA speaks ARI
    const replaces =
      directory.renewalInfo && request.previousCertificate
        ? await ariCertId(request.previousCertificate).catch(() => undefined)
        : undefined;
    const names = orderNames(request);
    // Sent once: when its answer is lost, the account's orders list says whether the CA created it (findOrder).
    const order = await writeOnce(
      () =>
        this.call("create the order", () =>
          client.createOrder({
            identifiers: names.map((value) => ({ type: "dns", value })),
            ...(profile ? { profile } : {}),
            ...(replaces ? { replaces } : {}),
          } as Parameters<Client["createOrder"]>[0]),
        ),
      {
        what: `the ACME order for ${names.join(", ")}`,
        lookup: () => this.findOrder(request),
        logger: this.ctx.logger,
      },
    );
    this.ctx.logger.info("ACME order created", { directory: this.directoryUrl, order: order.url, names });
    if (request.onOrder) await request.onOrder(order.url);
    return order;
  }

  /**
   * The order an earlier issue() of this request placed (a run that died before it stored the order URL, or a
   * newOrder whose answer was lost), found through the account's `orders` list (RFC 8555 §7.1.2.1, POST-as-GET,
   * paged with Link rel="next"; Pebble serves it at /list-orderz/). Orders carry no reference, so an order matches
   * by what it would deliver: the same names and, unexpired, either still pending/ready (finalized with this
   * request's CSR) or valid with a certificate for this request's key. Newest first, at most MAX_ORDERS_EXAMINED.
   * A CA whose account object has no `orders` URL (Let's Encrypt's Boulder does not implement it) answers
   * undefined: there the pipeline's stored order URL (onOrder + resume) is what keeps a crashed run to one order.
   */
  async findOrder(request: IssueRequest): Promise<Order | undefined> {
    const client = await this.client();
    const account = (await this.read("read the ACME account", () => client.updateAccount({}))) as { orders?: unknown };
    if (typeof account.orders !== "string" || account.orders === "") return undefined;
    const api = (client as unknown as { api: AcmeApi }).api;
    const urls: string[] = [];
    let page: string | undefined = account.orders;
    for (let pages = 0; page && pages < MAX_ORDER_PAGES; pages += 1) {
      const url: string = page;
      const answer = await this.read("list the account's orders", () => api.apiRequest(url, null, [200]));
      urls.push(...(answer.data.orders ?? []).filter((u): u is string => typeof u === "string"));
      page = nextLink(answer.headers.link);
    }
    const wanted = [...orderNames(request)]
      .map((n) => n.toLowerCase())
      .sort()
      .join(",");
    let key: string | undefined;
    for (const url of urls.reverse().slice(0, MAX_ORDERS_EXAMINED)) {
      const order = await this.read("read the order", () => client.getOrder({ url } as Order));
      const names = (order.identifiers ?? [])
        .map((i) => i.value.toLowerCase())
        .sort()
        .join(",");
      if (names !== wanted || (order.expires && Date.parse(order.expires) <= this.now().getTime())) continue;
      if (order.status === "pending" || order.status === "ready") return order;
      if (order.status !== "valid") continue;
      key ??= spki((await inspectCsr(request.csr)).publicKeyPem);
      const pem = await this.read("download the certificate", () => client.getCertificate(order));
      const leaf = splitPem(pem, "acme certificate").find((b) => b.type === "CERTIFICATE");
      if (leaf && spki(new X509Certificate(leaf.pem).publicKey) === key) return order;
    }
    return undefined;
  }

  async readOrder(orderUrl: string): Promise<Order | undefined> {
    const client = await this.client();
    try {
      return await this.read("read the order", () => client.getOrder({ url: orderUrl } as Order));
    } catch (error) {
      // an order the CA forgot (404) or that expired is simply gone: a new one is the way on
      if (isVendorError(error) && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * One answer about an order: drive it as far as the CA lets it go without waiting (validate, finalize, download),
   * or answer pending while the CA is still validating or issuing. Waiting between answers is the pipeline's.
   */
  async advance(initial: Order, request: IssueRequest): Promise<IssueOutcome> {
    const client = await this.client();
    let order = initial;
    if (order.status === "pending") {
      if (!(await this.validate(client, order))) {
        return {
          state: "pending",
          orderId: order.url,
          detail: `the CA is validating the DNS-01 challenges of this ACME order at ${this.directoryUrl}`,
        };
      }
      order = await this.read("read the order", () => client.getOrder(order));
    }
    if (order.status === "ready") {
      order = await this.call("finalize the order", () => client.finalizeOrder(order, request.csr));
    }
    // the order as the CA has it now (finalized orders usually turn valid within moments)
    order = await this.read("read the order", () => client.getOrder(order));
    if (order.status === "processing" || order.status === "pending" || order.status === "ready") {
      return { state: "pending", orderId: order.url, detail: `ACME order is ${order.status} at ${this.directoryUrl}` };
    }
    if (order.status !== "valid") {
      throw new CertrelayError(
        ErrorCodes.ISSUANCE_FAILED,
        `ACME order ${order.url} is ${order.status}: ${describeProblem(order.error as AcmeProblem | undefined)}`,
        {
          vendor: VENDOR,
          backoffUntil: new Date(this.now().getTime() + FAILED_VALIDATION_BACKOFF_MS),
        },
      );
    }
    const pem = await this.read("download the certificate", () => client.getCertificate(order));
    const blocks = splitPem(pem, "acme certificate").filter((b) => b.type === "CERTIFICATE");
    const [leaf, ...chain] = blocks;
    if (!leaf)
      throw new CertrelayError(ErrorCodes.ISSUANCE_FAILED, `ACME order ${order.url} delivered no certificate`, {
        vendor: VENDOR,
      });
    return { state: "issued", certificate: leaf.pem, chain: chain.map((b) => b.pem).join(""), orderId: order.url };
  }

  /**
   * DNS-01 for every authorization still pending. The first ask in this process publishes all records and tells the
   * CA; every ask then reads each authorization once: false while any is still being validated (the records stay
   * published for the next ask), true once all are valid. The records are removed as soon as the CA decided, on any
   * error, and in close() for an order left pending. A failed authorization ends the attempt with the CA's problem.
   */
  private async validate(client: Client, order: Order): Promise<boolean> {
    let challenges = this.challenges.get(order.url);
    try {
      if (!challenges) {
        challenges = { records: [], authorizations: [] };
        this.challenges.set(order.url, challenges);
        await this.present(client, order, challenges);
      }
      let settled = true;
      for (const url of challenges.authorizations) {
        const current = (
          await this.read("read the authorization", () => client.getAuthorizations({ authorizations: [url] } as Order))
        )[0];
        if (current?.status === "invalid") throw this.validationFailed(current);
        if (current?.status === "pending") settled = false;
      }
      if (settled) await this.cleanUp(order.url);
      return settled;
    } catch (error) {
      await this.cleanUp(order.url);
      throw error;
    }
  }

  /** Publish the TXT record of every pending authorization, then answer their challenges. */
  private async present(
    client: Client,
    order: Order,
    into: { records: PresentedRecord[]; authorizations: string[] },
  ): Promise<void> {
    const authorizations = await this.read("read the authorizations", () => client.getAuthorizations(order));
    const todo = authorizations.filter((a) => a.status === "pending");
    const dns = this.dns();
    const started: ChallengeLike[] = [];
    for (const authz of todo) {
      const challenge = (authz.challenges as ChallengeLike[]).find((c) => c.type === "dns-01");
      if (!challenge) {
        throw new CertrelayError(
          ErrorCodes.VENDOR_REJECTED,
          `the CA offers no dns-01 challenge for ${authz.identifier.value}; certrelay validates with DNS-01 only`,
          { vendor: VENDOR },
        );
      }
      // lego's providers take the raw key authorization (token.thumbprint) and derive the TXT value themselves
      const keyAuth = await client.getChallengeKeyAuthorization({ ...challenge, type: "http-01" } as Parameters<
        Client["getChallengeKeyAuthorization"]
      >[0]);
      const domain = authz.wildcard ? `*.${authz.identifier.value}` : authz.identifier.value;
      into.records.push({ domain, token: challenge.token, keyAuth });
      await dns.present(domain, challenge.token, keyAuth);
      into.authorizations.push(authz.url);
      started.push(challenge);
    }
    for (const challenge of started) {
      if (challenge.status === "pending")
        await this.call("answer the challenge", () =>
          client.completeChallenge(challenge as Parameters<Client["completeChallenge"]>[0]),
        );
    }
  }

  /** Remove the DNS-01 records published for an order; a record that cannot be removed is logged, never thrown. */
  private async cleanUp(orderUrl: string): Promise<void> {
    const challenges = this.challenges.get(orderUrl);
    this.challenges.delete(orderUrl);
    if (!challenges || challenges.records.length === 0) return;
    const dns = this.dns();
    for (const p of challenges.records) {
      try {
        await dns.cleanUp(p.domain, p.token, p.keyAuth);
      } catch (error) {
        this.ctx.logger.warn("could not remove a DNS-01 record; remove it by hand", {
          record: `_acme-challenge.${p.domain.replace(/^\*\./, "")}`,
          dns: dns.name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  private validationFailed(authz: Authorization): CertrelayError {
    const challenge =
      (authz.challenges as ChallengeLike[]).find((c) => c.type === "dns-01" && c.error) ??
      (authz.challenges as ChallengeLike[]).find((c) => c.error);
    const backoffUntil = new Date(this.now().getTime() + FAILED_VALIDATION_BACKOFF_MS);
    return new CertrelayError(
      ErrorCodes.ISSUANCE_FAILED,
      `the CA could not validate ${authz.identifier.value} over DNS-01: ${describeProblem(challenge?.error)}. Check the TXT record _acme-challenge.${authz.identifier.value} that ${this.settings.dns.provider} writes; failed validations count against the CA's limits, so the next attempt waits until ${backoffUntil.toISOString()}`,
      { vendor: VENDOR, backoffUntil, ...(challenge?.error?.type ? { vendorCode: challenge.error.type } : {}) },
    );
  }

  async close(): Promise<void> {
    // an order left pending (the run's poll window ended) keeps its records until here; the next run presents again
    for (const orderUrl of [...this.challenges.keys()]) await this.cleanUp(orderUrl);
    const connection = this.connection;
    this.connection = undefined;
    this.clientPromise = undefined;
    await this.dnsProvider?.close();
    if (connection) (await connection.catch(() => undefined))?.close();
  }
}

/** acme-client's signed request (Client#api, not typed): a POST-as-GET whose headers (Link) the caller reads. */
interface AcmeApi {
  apiRequest(
    url: string,
    payload: null,
    validStatusCodes: number[],
  ): Promise<{ data: { orders?: unknown[] }; headers: Record<string, unknown> }>;
}

/** Account orders list pages read and orders examined per lookup: a bounded cost on an account with a long history. */
const MAX_ORDER_PAGES = 50;
const MAX_ORDERS_EXAMINED = 30;

function orderNames(request: IssueRequest): string[] {
  return [...new Set([request.commonName, ...request.sans].filter((n) => n !== ""))];
}

function nextLink(header: unknown): string | undefined {
  for (const value of Array.isArray(header) ? header : [header]) {
    if (typeof value !== "string") continue;
    for (const part of value.split(",")) {
      const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
      if (m) return m[1];
    }
  }
  return undefined;
}

function spki(key: string | KeyObject): string {
  return (typeof key === "string" ? createPublicKey(key) : key)
    .export({ type: "spki", format: "der" })
    .toString("base64");
}

export function createAcmeIssuer(settings: AcmeSettings, credentials: AcmeCredentials, ctx: ProviderContext): Issuer {
  const orders = new AcmeOrders(settings, credentials, ctx);
  const { keyType, keyOptions } = KEY_TYPES[settings.keyType];
  return {
    provider: "acme",
    label: `acme ${orders.directoryUrl}`,
    keyType,
    keyOptions,
    renewalAdvice: (certificate) => orders.renewalAdvice(certificate),
    /** A request seen before (same names, same key) carries on with the order it placed instead of placing another. */
    async issue(request: IssueRequest): Promise<IssueOutcome> {
      const earlier = await orders.findOrder(request).catch((error: unknown) => {
        // A CA that refuses the lookup (4xx) only costs the lookup: order as before. No answer or 5xx fails the run.
        if (!isVendorError(error) || error.status === undefined || error.status >= 500 || error.status === 429)
          throw error;
        ctx.logger.warn("ACME account orders could not be read; placing a new order", {
          directory: orders.directoryUrl,
          error: error.message,
        });
        return undefined;
      });
      if (earlier) {
        ctx.logger.info("ACME order for this request found in the account's orders; carrying it on", {
          order: earlier.url,
          status: earlier.status,
        });
        if (request.onOrder) await request.onOrder(earlier.url);
        return orders.advance(earlier, request);
      }
      return orders.advance(await orders.newOrder(request), request);
    },
    /** The order a crashed or backed-off run left: carry it on, or open a new one when it can no longer complete. */
    async resume(orderId: string, request: IssueRequest): Promise<IssueOutcome> {
      const order = orderId ? await orders.readOrder(orderId) : undefined;
      // RFC 8555 §7.1.6: an invalid order never becomes valid again
      if (order && order.status !== "invalid") return orders.advance(order, request);
      ctx.logger.info("ACME order cannot complete any more; ordering again", {
        order: orderId,
        status: order?.status ?? "gone",
      });
      return orders.advance(await orders.newOrder(request), request);
    },
    close: () => orders.close(),
  };
}
