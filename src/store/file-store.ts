import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod/mini";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { CertificateMaterial } from "../model.js";
import {
  completedMaterial,
  materialFieldProblems,
  materialSchema,
  parseCredentials,
  parseJsonSafely,
  pendingSchema,
  requireSecretId,
  toMaterial,
  toPending,
} from "./codec.js";
import { onceReleasedLease, withLease } from "./lease.js";
import { droppingSession, KeyedMutex, readSessions, savingSession, withKeySessions } from "./sessions.js";
import type { LeaseAttempt, LeaseRequest, PendingRenewal, SessionStore, Store } from "./types.js";

/**
 * One file per secret id, for local runs, the CLI and the demo.
 *
 * File `<dir>/<encodeURIComponent(secretId)>.json` (so `certrelay/www` is `certrelay%2Fwww.json`), mode 0600:
 * `{"current": {certificate, privateKey, chain}, "previous": {…}, "pending": PendingRenewal}` with each key
 * optional. For a credentials secret `current` is the JSON object of strings.
 */
const fileSchema = z.object({
  current: z.optional(z.unknown()),
  previous: z.optional(z.unknown()),
  pending: z.optional(z.unknown()),
  /** credentials files only: vendor sessions per endpoint (see sessions.ts) */
  sessions: z.optional(z.unknown()),
});
type SecretFile = z.infer<typeof fileSchema>;

const SUFFIX = ".json";
/**
 * Temp files are `.<id>.<pid>.<uuid>.tmp`: the writer's pid lets a later run tell a file whose writer was killed
 * (SIGKILL between write and rename, holding a private key) from one a live process is about to rename.
 */
const TEMP = /^\..+?\.(?:(\d+)\.)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

export interface FileStoreOptions {
  dir: string;
  /**
   * A certificate's lock whose holder stopped refreshing it (killed process) is taken over after this long
   * (default 30 s; proper-lockfile's minimum is 2 s). A live holder refreshes it every half of this.
   */
  lockStaleMs?: number;
}

export class FileStore implements Store {
  readonly kind = "file" as const;
  readonly sessions: SessionStore;
  private readonly dir: string;
  private readonly lockStaleMs: number;
  private swept: Promise<void> | undefined;
  private readonly mutex = new KeyedMutex();

  constructor(options: FileStoreOptions) {
    this.dir = options.dir;
    this.lockStaleMs = options.lockStaleMs ?? 30_000;
    // Versions are a Secrets Manager cost only: here a change of the sessions holds the secret's lock (the same
    // proper-lockfile lock a certificate's lease is), so processes sharing the directory never lose each other's.
    const updateSessions: SessionStore["updateSessions"] = (secretId, key, change, options) =>
      this.mutex.run(secretId, () =>
        withLease(
          this,
          secretId,
          async () => {
            const file = (await this.read(secretId)) ?? {};
            const all = readSessions(file.sessions);
            const next = change(all[key] ?? []);
            if (next !== undefined) await this.write(secretId, { ...file, sessions: withKeySessions(all, key, next) });
          },
          { what: "record the vendor session beside the credentials", deadline: options?.deadline },
        ),
      );
    this.sessions = {
      getSessions: async (secretId, key) => readSessions((await this.read(secretId))?.sessions)[key] ?? [],
      putSession: (secretId, key, session) => updateSessions(secretId, key, savingSession(session)),
      removeSession: (secretId, key, accessToken) => updateSessions(secretId, key, droppingSession(accessToken)),
      updateSessions,
    };
  }

  /**
   * Once per store, before anything else: remove temp files whose writer died (SIGKILL between write and rename).
   * They may hold private keys, which must live in no file but their secret's.
   */
  sweep(): Promise<void> {
    return (this.swept ??= this.removeStaleTemps());
  }

  private async removeStaleTemps(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    await Promise.all(
      names.map(async (name) => {
        const m = TEMP.exec(name);
        if (!m) return;
        const pid = m[1] === undefined ? undefined : Number(m[1]);
        if (pid !== undefined && isAlive(pid)) return;
        await rm(join(this.dir, name), { force: true }).catch(() => undefined);
      }),
    );
  }

  /**
   * An OS-level lock per secret (proper-lockfile: an atomic mkdir of `.<id>.lock`, refreshed while held, stale
   * once its holder stops refreshing it), so two processes sharing a store directory never write one
   * certificate at once. The file store's lease lives as long as its holder, so `ttlMs` does not apply here.
   */
  async acquireLease(secretId: string, request: LeaseRequest): Promise<LeaseAttempt> {
    requireSecretId(secretId);
    const lockPath = this.lockPathFor(secretId);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw this.ioError("create", this.dir, e);
    }
    let unlock: () => Promise<void>;
    try {
      // loaded on the first lock: most starts (every Lambda's) take none (cold start)
      const { lock } = await import("proper-lockfile");
      unlock = await lock(this.pathFor(secretId), {
        lockfilePath: lockPath,
        realpath: false,
        retries: 0,
        stale: this.lockStaleMs,
        // A lock found stale again while held (the event loop stalled past `stale`): another run may have taken
        // it over. Throwing here would crash the process from a timer; the holder's writes stay whole-file atomic.
        onCompromised: () => undefined,
      });
    } catch (e) {
      if (isErrno(e, "ELOCKED")) return { acquired: false, holder: "another certrelay run using this store directory" };
      throw this.ioError("lock", lockPath, e);
    }
    return { acquired: true, lease: onceReleasedLease(request.owner, unlock) };
  }

  private lockPathFor(secretId: string): string {
    return join(this.dir, `.${encodeURIComponent(secretId)}.lock`);
  }

  async getCurrent(secretId: string): Promise<CertificateMaterial | undefined> {
    const file = await this.read(secretId);
    if (file?.current === undefined) return undefined;
    const material = materialSchema.safeParse(file.current);
    if (!material.success) {
      throw new CertrelayError(
        ErrorCodes.STORE_ERROR,
        `secret '${secretId}' in ${this.pathFor(secretId)}: "current" is not certificate material {certificate, privateKey, chain} (${materialFieldProblems(file.current)})`,
        { field: secretId },
      );
    }
    return toMaterial(material.data);
  }

  async getPending(secretId: string): Promise<PendingRenewal | undefined> {
    const file = await this.read(secretId);
    if (file?.pending === undefined) return undefined;
    return this.decodePending(secretId, file.pending);
  }

  async putPending(secretId: string, pending: PendingRenewal): Promise<void> {
    const checked = pendingSchema.safeParse(pending);
    if (!checked.success) {
      throw new CertrelayError(
        ErrorCodes.STORE_ERROR,
        `pending renewal for secret '${secretId}' is malformed; nothing was written`,
        {
          field: secretId,
        },
      );
    }
    const file = (await this.read(secretId)) ?? {};
    await this.write(secretId, { ...file, pending: toPending(checked.data) });
  }

  async promote(secretId: string): Promise<void> {
    const file = await this.read(secretId);
    if (file?.pending === undefined) {
      throw new CertrelayError(ErrorCodes.STORE_NOT_FOUND, `secret '${secretId}' has no pending renewal to promote`, {
        field: secretId,
      });
    }
    const material = completedMaterial(this.decodePending(secretId, file.pending), `secret '${secretId}'`);
    const next: SecretFile = { current: material };
    if (file.current !== undefined) next.previous = file.current;
    await this.write(secretId, next);
  }

  async clearPending(secretId: string): Promise<void> {
    const file = await this.read(secretId);
    if (file?.pending === undefined) return;
    const { pending: _dropped, ...rest } = file;
    await this.write(secretId, rest);
  }

  async putCurrent(secretId: string, material: CertificateMaterial): Promise<void> {
    const file = (await this.read(secretId)) ?? {};
    const next: SecretFile = { ...file, current: toMaterial(material) };
    if (file.current !== undefined) next.previous = file.current;
    await this.write(secretId, next);
  }

  async getCredentials(secretId: string): Promise<Record<string, string>> {
    const file = await this.read(secretId);
    if (file?.current === undefined) {
      throw new CertrelayError(
        ErrorCodes.STORE_NOT_FOUND,
        `credentials secret '${secretId}' was not found in ${this.dir}; create ${this.pathFor(secretId)} as {"current": {…}} holding the fields its provider reads`,
        { field: secretId },
      );
    }
    return parseCredentials(JSON.stringify(file.current), secretId);
  }

  /** For CLI import and demo seeding; not part of the Store interface. */
  async putCredentials(secretId: string, credentials: Record<string, string>): Promise<void> {
    const file = (await this.read(secretId)) ?? {};
    await this.write(secretId, { ...file, current: { ...credentials } });
  }

  async *list(prefix: string): AsyncIterable<string> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if (isErrno(e, "ENOENT")) return;
      throw this.ioError("list", this.dir, e);
    }
    const ids = names
      .filter((name) => name.endsWith(SUFFIX) && !name.startsWith("."))
      .map((name) => safeDecode(name.slice(0, -SUFFIX.length)))
      .filter((id): id is string => id !== undefined && id.startsWith(prefix))
      .sort();
    yield* ids;
  }

  /** The file that holds a secret; ids are percent-encoded so `/` never makes a sub-directory or escapes `dir`. */
  pathFor(secretId: string): string {
    return join(this.dir, `${encodeURIComponent(secretId)}${SUFFIX}`);
  }

  private decodePending(secretId: string, value: unknown): PendingRenewal {
    const parsed = pendingSchema.safeParse(value);
    if (!parsed.success) {
      throw new CertrelayError(
        ErrorCodes.STORE_ERROR,
        `secret '${secretId}' in ${this.pathFor(secretId)}: "pending" is not a certrelay pending renewal; remove it or fix the file`,
        { field: secretId },
      );
    }
    return toPending(parsed.data);
  }

  private async read(secretId: string): Promise<SecretFile | undefined> {
    requireSecretId(secretId);
    await this.sweep();
    const path = this.pathFor(secretId);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      if (isErrno(e, "ENOENT")) return undefined;
      throw this.ioError("read", path, e);
    }
    const parsed = fileSchema.safeParse(
      parseJsonSafely(
        text,
        path,
        "restore it from a backup, or delete it and make it again (certrelay renew issues a certificate whose secret is missing; a credentials secret is re-seeded with its fields)",
      ),
    );
    if (!parsed.success) {
      throw new CertrelayError(
        ErrorCodes.STORE_ERROR,
        `${path} is not a certrelay secret file (expected a JSON object)`,
        {
          field: secretId,
        },
      );
    }
    return parsed.data;
  }

  /** Write to a temp file beside the target and rename over it, so a crash never leaves half a key on disk. */
  private async write(secretId: string, content: SecretFile): Promise<void> {
    const path = this.pathFor(secretId);
    await this.sweep();
    const temp = join(this.dir, `.${encodeURIComponent(secretId)}.${process.pid}.${randomUUID()}.tmp`);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFile(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: "wx" });
      await rename(temp, path);
    } catch (e) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw this.ioError("write", path, e);
    }
  }

  private ioError(operation: string, path: string, e: unknown): CertrelayError {
    const code = e instanceof Error && "code" in e ? String((e as NodeJS.ErrnoException).code) : "unknown error";
    return new CertrelayError(ErrorCodes.STORE_ERROR, `file store could not ${operation} ${path}: ${code}`, {
      cause: e,
    });
  }
}

/** Whether a process with this pid runs (EPERM: it runs, as another user). */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return isErrno(e, "EPERM");
  }
}

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
}

function safeDecode(name: string): string | undefined {
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}
