/**
 * Vendor sessions kept beside the credentials they were made with. Yeastar allows 8 live access tokens per
 * application (VENDOR-NOTES): a run killed before its `finally` would otherwise leak its token for 30 minutes, and a
 * few such kills lock every later run out. With the token stored, the next run reuses it and then revokes it.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { hostname } from "node:os";
import * as z from "zod/mini";
import type { Deadline } from "../deadline.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { compareAndSetLabel, errorName } from "./label-cas.js";
import type { SessionHolder, SessionsChange, SessionStore, Store, VendorSession } from "./types.js";

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

/**
 * The change that records `session`: newest first, replacing one with the same accessToken (expiry is judged by the
 * client on the vendor's clock, not here).
 */
export function savingSession(session: VendorSession): SessionsChange {
  return (all) => [session, ...all.filter((s) => s.accessToken !== session.accessToken)].slice(0, MAX_PER_KEY);
}

/** The change that forgets `accessToken` (undefined, so no write, when it is not recorded). */
export function droppingSession(accessToken: string): SessionsChange {
  return (all) =>
    all.some((s) => s.accessToken === accessToken) ? all.filter((s) => s.accessToken !== accessToken) : undefined;
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

/** A record that kept changing under this many attempts in a row is left alone (sessions are a cache). */
const CAS_ATTEMPTS = 12;

/** The sessions of every endpoint with `key`'s replaced by `sessions` (newest first, at most MAX_PER_KEY). */
export function withKeySessions(all: SessionsByKey, key: string, sessions: VendorSession[]): SessionsByKey {
  const { [key]: _replaced, ...rest } = all;
  return sessions.length > 0 ? { ...rest, [key]: sessions.slice(0, MAX_PER_KEY) } : rest;
}

/**
 * Each update is one compare-and-set on the sessions label (compareAndSetLabel, as the certificate lease): the
 * new record is written as a version under a label of its own, then the sessions label is moved onto it with
 * `RemoveFromVersionId` = the version read, which Secrets Manager refuses when the label moved meanwhile; the loser
 * reads again and retries. One version per update: AWS keeps unlabelled versions beyond 100 for a day and advises
 * against updating one secret often, and many PBXs commonly share one credentials secret.
 */
export class SecretsManagerSessions implements SessionStore {
  private readonly mutex = new KeyedMutex();
  constructor(private readonly client: SecretsManagerClient) {}

  async getSessions(secretId: string, key: string): Promise<VendorSession[]> {
    return (await this.read(secretId)).sessions[key] ?? [];
  }

  putSession(secretId: string, key: string, session: VendorSession): Promise<void> {
    return this.updateSessions(secretId, key, savingSession(session));
  }

  removeSession(secretId: string, key: string, accessToken: string): Promise<void> {
    return this.updateSessions(secretId, key, droppingSession(accessToken));
  }

  updateSessions(
    secretId: string,
    key: string,
    change: (sessions: VendorSession[]) => VendorSession[] | undefined,
  ): Promise<void> {
    // in line within this process (a run's targets share a secret), so only other processes cost a retry
    return this.mutex.run(secretId, async () => {
      for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt += 1) {
        const { sessions, versionId } = await this.read(secretId);
        const next = change(sessions[key] ?? []);
        if (next === undefined) return;
        if (await this.compareAndSet(secretId, versionId, withKeySessions(sessions, key, next))) return;
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 40 * attempt)));
      }
      throw new CertrelayError(
        ErrorCodes.STORE_ERROR,
        `the vendor sessions of '${secretId}' kept changing under ${CAS_ATTEMPTS} attempts to record one; the next run tries again`,
        { field: secretId },
      );
    });
  }

  private async read(secretId: string): Promise<{ sessions: SessionsByKey; versionId: string | undefined }> {
    let answer;
    try {
      answer = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: SESSIONS_STAGE }));
    } catch (e) {
      if (errorName(e) === "ResourceNotFoundException") return { sessions: {}, versionId: undefined };
      throw storeError(secretId, "read", e, "GetSecretValue");
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.SecretString ?? "{}");
    } catch {
      parsed = {};
    }
    return { sessions: readSessions(parsed), versionId: answer.VersionId };
  }

  /** Whether `sessions` now sit under the label, moved there from `fromVersionId` (false: another writer won). */
  private async compareAndSet(
    secretId: string,
    fromVersionId: string | undefined,
    sessions: SessionsByKey,
  ): Promise<boolean> {
    const result = await compareAndSetLabel(this.client, secretId, {
      label: SESSIONS_STAGE,
      value: JSON.stringify(sessions),
      fromVersionId,
      labelledVersion: async () => (await this.read(secretId)).versionId,
      // a failure that is not a lost race (nor a 5xx whose move did not land) is the user's to fix: name the permission
      fail: (operation, e) => storeError(secretId, "store", e, operation),
    });
    return result.won;
  }
}

/** Names the operation and the error's name only: the SDK's messages may carry values. */
function storeError(secretId: string, what: "read" | "store", e: unknown, operation: string): CertrelayError {
  return new CertrelayError(
    ErrorCodes.STORE_ERROR,
    `Secrets Manager could not ${what} the vendor sessions of '${secretId}' (${errorName(e) ?? "error"})${what === "store" ? `; allow secretsmanager:${operation} on it` : ""}`,
    { field: secretId },
  );
}

/** What one vendor client needs: the sessions of its credentials at its endpoint. */
export interface SessionOps {
  load(): Promise<VendorSession[]>;
  save(session: VendorSession): Promise<void>;
  drop(accessToken: string): Promise<void>;
}

/**
 * The sessions of one credentials secret at one endpoint, shared by every run that uses it, in this process or
 * another (a schedule, a manual run, a Lambda retry). Every change is `update`, a read-modify-write that is safe
 * across processes (see SessionStore.updateSessions): a client decides what to do from the sessions `change` is
 * given, and when another run wrote in between, decides again on what that run wrote.
 */
export interface SessionCache extends SessionOps {
  update(change: SessionsChange): Promise<void>;
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

export function sessionCache(
  store: Store,
  credentialsSecretId: string,
  key: string,
  options: { deadline?: Deadline | undefined } = {},
): SessionCache | undefined {
  const sessions = store.sessions;
  if (!sessions) return undefined;
  const update = (change: SessionsChange) =>
    sessions.updateSessions(credentialsSecretId, key, change, { deadline: options.deadline });
  return {
    load: () => sessions.getSessions(credentialsSecretId, key),
    save: (session) => update(savingSession(session)),
    drop: (accessToken) => update(droppingSession(accessToken)),
    update,
  };
}
