/**
 * Vendor sessions kept beside the credentials they were made with. Yeastar allows 8 live access tokens per
 * application (VENDOR-NOTES): a run killed before its `finally` would otherwise leak its token for 30 minutes, and a
 * few such kills lock every later run out. With the token stored, the next run reuses it and then revokes it.
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import * as z from "zod/mini";
import type { Deadline } from "../deadline.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { withLease } from "./lease.js";
import type { SessionHolder, SessionStore, Store, VendorSession } from "./types.js";

export const sessionSchema = z.object({
  accessToken: z.string().check(z.minLength(1)),
  refreshToken: z.string(),
  accessExpiresAt: z.number(),
  refreshExpiresAt: z.number(),
  holders: z.optional(
    z.array(
      z.object({
        owner: z.string(),
        until: z.number(),
        pid: z.optional(z.number()),
        host: z.optional(z.string()),
      }),
    ),
  ),
});

/** `{ "<endpoint>": VendorSession[] }`; anything unreadable counts as no sessions (they are a cache, never truth). */
export const sessionsSchema = z.record(z.string(), z.array(sessionSchema));
export type SessionsByKey = z.infer<typeof sessionsSchema>;

export function readSessions(value: unknown): SessionsByKey {
  const parsed = sessionsSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

/** At most this many per endpoint: more than the vendor allows live at once is never useful. */
const MAX_PER_KEY = 8;

/** Newest first; expiry is judged by the client on the vendor's clock, not here. */
export function withSession(all: SessionsByKey, key: string, session: VendorSession): SessionsByKey {
  const kept = (all[key] ?? []).filter((s) => s.accessToken !== session.accessToken);
  return { ...all, [key]: [session, ...kept].slice(0, MAX_PER_KEY) };
}

export function withoutSession(all: SessionsByKey, key: string, accessToken: string): SessionsByKey {
  const kept = (all[key] ?? []).filter((s) => s.accessToken !== accessToken);
  const { [key]: _dropped, ...rest } = all;
  return kept.length > 0 ? { ...rest, [key]: kept } : rest;
}

/** Serialises read-modify-write of one secret's sessions within this process (concurrent targets of one run). */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

/**
 * In Secrets Manager: a version of the credentials secret under its own staging label. AWSCURRENT (the credentials
 * themselves) never moves; the label moves to each new version and AWS cleans up the unlabelled ones.
 */
export const SESSIONS_STAGE = "CERTRELAY_SESSIONS";

export class SecretsManagerSessions implements SessionStore {
  private readonly mutex = new KeyedMutex();
  constructor(private readonly client: SecretsManagerClient) {}

  async getSessions(secretId: string, key: string): Promise<VendorSession[]> {
    return (await this.read(secretId))[key] ?? [];
  }

  putSession(secretId: string, key: string, session: VendorSession): Promise<void> {
    return this.mutex.run(secretId, async () =>
      this.write(secretId, withSession(await this.read(secretId), key, session)),
    );
  }

  removeSession(secretId: string, key: string, accessToken: string): Promise<void> {
    return this.mutex.run(secretId, async () => {
      const all = await this.read(secretId);
      if (!(all[key] ?? []).some((s) => s.accessToken === accessToken)) return;
      await this.write(secretId, withoutSession(all, key, accessToken));
    });
  }

  private async read(secretId: string): Promise<SessionsByKey> {
    try {
      const answer = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: SESSIONS_STAGE }),
      );
      return readSessions(JSON.parse(answer.SecretString ?? "{}"));
    } catch (e) {
      if (e instanceof Error && (e.name === "ResourceNotFoundException" || e instanceof SyntaxError)) return {};
      throw new CertrelayError(
        ErrorCodes.STORE_ERROR,
        `Secrets Manager could not read the vendor sessions of '${secretId}' (${e instanceof Error ? e.name : "error"})`,
        { field: secretId },
      );
    }
  }

  private async write(secretId: string, sessions: SessionsByKey): Promise<void> {
    try {
      await this.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          SecretString: JSON.stringify(sessions),
          VersionStages: [SESSIONS_STAGE],
          ClientRequestToken: randomUUID(),
        }),
      );
    } catch (e) {
      throw new CertrelayError(
        ErrorCodes.STORE_ERROR,
        `Secrets Manager could not store the vendor sessions of '${secretId}' (${e instanceof Error ? e.name : "error"}); allow secretsmanager:PutSecretValue on it`,
        { field: secretId },
      );
    }
  }
}

/** What one vendor client needs: the sessions of its credentials at its endpoint. */
export interface SessionOps {
  load(): Promise<VendorSession[]>;
  save(session: VendorSession): Promise<void>;
  drop(accessToken: string): Promise<void>;
}

/**
 * The sessions of one credentials secret, shared by every run that uses it, in this process or another (a schedule,
 * a manual run, a Lambda retry). `save` and `drop` are read-modify-writes of the whole record, so each holds the
 * credentials secret's lease; `exclusive` holds it across several steps (a client that looks for a recorded token
 * and logs in only when there is none), so runs that start together take one token between them, not one each.
 */
export interface SessionCache extends SessionOps {
  /** `fn` with the record to itself across processes; the ops handed to it do not take the lease again */
  exclusive<T>(fn: (sessions: SessionOps) => Promise<T>): Promise<T>;
}

/**
 * This process, as a session holder names it. In Lambda a process id and host name say nothing another
 * environment can check (environments may share both), so there the hold counts by `until` alone.
 */
export function holderHere(owner: string, until: number): SessionHolder {
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) return { owner, until };
  return { owner, until, pid: process.pid, host: hostname() };
}

/**
 * Whether a recorded holder may still be using its token: not past its `until`, and, on this host, its process still
 * exists (a SIGKILLed run is seen gone at once; on another host, as a Lambda, only `until` tells).
 */
export function holderLive(holder: SessionHolder, now: number): boolean {
  if (holder.until <= now) return false;
  if (holder.pid === undefined || holder.host !== hostname()) return true;
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** In-process queue in front of the lease, per store, so one process's clients wait in line instead of polling. */
const queues = new WeakMap<Store, KeyedMutex>();

export function sessionCache(
  store: Store,
  credentialsSecretId: string,
  key: string,
  options: { deadline?: Deadline | undefined } = {},
): SessionCache | undefined {
  const sessions = store.sessions;
  if (!sessions) return undefined;
  const raw: SessionOps = {
    load: () => sessions.getSessions(credentialsSecretId, key),
    save: (session) => sessions.putSession(credentialsSecretId, key, session),
    drop: (accessToken) => sessions.removeSession(credentialsSecretId, key, accessToken),
  };
  let queue = queues.get(store);
  if (!queue) queues.set(store, (queue = new KeyedMutex()));
  const inLine = queue;
  const exclusive = <T>(fn: (ops: SessionOps) => Promise<T>): Promise<T> =>
    inLine.run(credentialsSecretId, () =>
      withLease(store, credentialsSecretId, () => fn(raw), {
        what: "record the vendor session beside the credentials",
        // a session step is a few requests: a holder that outlives this died, and its lease is taken over
        ttlMs: 30_000,
        deadline: options.deadline,
      }),
    );
  return {
    load: raw.load,
    save: (session) => exclusive((ops) => ops.save(session)),
    drop: (accessToken) => exclusive((ops) => ops.drop(accessToken)),
    exclusive,
  };
}
