import { randomUUID } from "node:crypto";
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { CertificateMaterial } from "../model.js";
import {
  completedMaterial,
  materialFieldProblems,
  materialSchema,
  parseCredentials,
  parseJsonSafely,
  pendingEnvelopeSchema,
  requireSecretId,
  toMaterial,
  toPending,
} from "./codec.js";
import { compareAndSetLabel, errorName, type LabelCasResult } from "./label-cas.js";
import { onceReleasedLease } from "./lease.js";
import { SecretsManagerSessions } from "./sessions.js";
import type { LeaseAttempt, LeaseRequest, PendingRenewal, ScanRead, SessionStore, Store } from "./types.js";

const CURRENT = "AWSCURRENT";
/** The staging label of the version that records who holds the certificate's lease (see acquireLease). */
const LEASE = "certrelay-lease";
const PENDING = "AWSPENDING";
const PREVIOUS = "AWSPREVIOUS";
/** BatchGetSecretValue takes at most 20 secret ids per call. */
export const BATCH_GET_LIMIT = 20;
/** batches a scan reads ahead of the one being checked (requests in flight, and material held, stay bounded) */
const SCAN_READ_AHEAD = 2;

/** What a staging label holds, decoded by shape. `absent` covers both "no secret" and "no such label". */
type StageContent =
  | { kind: "absent" }
  | { kind: "material"; material: CertificateMaterial; versionId: string; stages: string[] }
  | { kind: "pending"; pending: PendingRenewal; versionId: string; stages: string[] }
  | { kind: "lease"; versionId: string; stages: string[] }
  | { kind: "other"; versionId: string; stages: string[]; problem?: string };

export interface SecretsManagerStoreOptions {
  /** ListSecrets page size (1..100); small values exist for tests of pagination */
  pageSize?: number;
  /**
   * How this entry's user sets the endpoint and region (`--aws-endpoint and --aws-region` in the CLI, `AWS_ENDPOINT_URL
   * and AWS_REGION` in the Lambda), named when the endpoint is unreachable: each entry's hint is one its user can act on.
   */
  endpointSetting?: string;
}

/**
 * Certificates in AWS Secrets Manager, using the staging labels the way AWS rotation does.
 *
 * Secret value layout (SecretString, JSON):
 * - AWSCURRENT / AWSPREVIOUS: `{"certificate": PEM, "privateKey": PEM, "chain": PEM}` — plain material, so any other
 *   consumer of the secret can read it as is.
 * - AWSPENDING while a renewal runs: `{"pending": PendingRenewal}`. The envelope keeps bookkeeping from ever
 *   parsing as material.
 * - promote() writes the completed material as a final AWSPENDING version, moves AWSCURRENT onto it (AWS marks
 *   the old version AWSPREVIOUS) and then drops AWSPENDING.
 *
 * AWS attaches AWSCURRENT to the first version of a secret whatever labels were asked for, so a secret whose
 * first write was putPending has its bookkeeping under AWSCURRENT too; getCurrent reports that as "no current".
 */
export class SecretsManagerStore implements Store {
  readonly kind = "secrets-manager" as const;

  private readonly pageSize: number;
  private readonly endpointSetting: string;
  /** vendor sessions, under their own staging label on the credentials secret (sessions.ts) */
  readonly sessions: SessionStore;

  constructor(
    private readonly client: SecretsManagerClient,
    options: SecretsManagerStoreOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 100;
    this.endpointSetting = options.endpointSetting ?? "the client's endpoint and region";
    this.sessions = new SecretsManagerSessions(client);
  }

  async getCurrent(secretId: string): Promise<CertificateMaterial | undefined> {
    requireSecretId(secretId);
    return currentOf(secretId, await this.readStage(secretId, CURRENT));
  }

  async getPending(secretId: string): Promise<PendingRenewal | undefined> {
    requireSecretId(secretId);
    const content = await this.readStage(secretId, PENDING);
    switch (content.kind) {
      case "absent":
      case "lease":
        return undefined;
      case "pending":
        return content.pending;
      case "material":
        // A label left behind on the current version is not a renewal in progress.
        if (content.stages.includes(CURRENT)) return undefined;
        // promote() was interrupted between writing the final version and moving AWSCURRENT: report it as an
        // issued renewal so the next run re-verifies the targets and promotes it, instead of buying again.
        return {
          reference: "",
          createdAt: "",
          privateKey: content.material.privateKey,
          csr: "",
          certificate: content.material.certificate,
          chain: content.material.chain,
          deployedTo: [],
          attempts: 0,
        };
      case "other":
        throw new CertrelayError(
          ErrorCodes.STORE_ERROR,
          `secret '${secretId}' (${PENDING}) does not hold a certrelay pending renewal; clear that label or fix the value`,
          { field: secretId },
        );
    }
  }

  async putPending(secretId: string, pending: PendingRenewal): Promise<void> {
    requireSecretId(secretId);
    const value = JSON.stringify({ pending });
    await this.call("PutSecretValue", secretId, async () => {
      try {
        await this.putVersion(secretId, value, [PENDING]);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        // Create without a value: CreateSecret with one would label it AWSCURRENT only, not AWSPENDING.
        await this.createEmpty(secretId);
        await this.putVersion(secretId, value, [PENDING]);
      }
    });
  }

  async promote(secretId: string): Promise<void> {
    requireSecretId(secretId);
    const pendingContent = await this.readStage(secretId, PENDING);
    if (pendingContent.kind === "absent") {
      throw new CertrelayError(ErrorCodes.STORE_NOT_FOUND, `secret '${secretId}' has no pending renewal to promote`, {
        field: secretId,
      });
    }
    if (pendingContent.kind === "other" || pendingContent.kind === "lease") {
      throw new CertrelayError(
        ErrorCodes.STORE_ERROR,
        `secret '${secretId}' (${PENDING}) does not hold a certrelay pending renewal; nothing was promoted`,
        { field: secretId },
      );
    }
    const currentContent = await this.readStage(secretId, CURRENT);
    const currentVersionId = currentContent.kind === "absent" ? undefined : currentContent.versionId;

    await this.call("UpdateSecretVersionStage", secretId, async () => {
      let finalVersionId: string;
      if (pendingContent.kind === "pending") {
        const material = completedMaterial(pendingContent.pending, `secret '${secretId}'`);
        finalVersionId = await this.putVersion(secretId, JSON.stringify(material), [PENDING]);
      } else {
        // Already plain material: an earlier promote stopped after writing the final version.
        finalVersionId = pendingContent.versionId;
      }
      if (currentVersionId !== finalVersionId) {
        await this.client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: CURRENT,
            MoveToVersionId: finalVersionId,
            ...(currentVersionId === undefined ? {} : { RemoveFromVersionId: currentVersionId }),
          }),
        );
      }
      await this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: PENDING,
          RemoveFromVersionId: finalVersionId,
        }),
      );
      // Bookkeeping that AWS had labelled AWSCURRENT (first write was putPending) is not a previous certificate.
      if (
        currentVersionId !== undefined &&
        currentVersionId !== finalVersionId &&
        (currentContent.kind === "pending" || currentContent.kind === "lease")
      ) {
        await this.client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: PREVIOUS,
            RemoveFromVersionId: currentVersionId,
          }),
        );
      }
    });
  }

  async clearPending(secretId: string): Promise<void> {
    requireSecretId(secretId);
    await this.call("UpdateSecretVersionStage", secretId, async () => {
      let versions: Record<string, string[]>;
      try {
        const described = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
        versions = described.VersionIdsToStages ?? {};
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      for (const [versionId, stages] of Object.entries(versions)) {
        if (!stages.includes(PENDING)) continue;
        await this.client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: PENDING,
            RemoveFromVersionId: versionId,
          }),
        );
      }
    });
  }

  async putCurrent(secretId: string, material: CertificateMaterial): Promise<void> {
    requireSecretId(secretId);
    const value = JSON.stringify(toMaterial(material));
    await this.putCurrentValue(secretId, value);
  }

  /** Write `value` as AWSCURRENT, creating the secret on its first write. */
  private async putCurrentValue(secretId: string, value: string): Promise<void> {
    await this.call("PutSecretValue", secretId, async () => {
      try {
        await this.putVersion(secretId, value, [CURRENT]);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        await this.createWithValue(secretId, value);
      }
    });
  }

  async getCredentials(secretId: string): Promise<Record<string, string>> {
    requireSecretId(secretId);
    const secretString = await this.readString(secretId, CURRENT);
    if (secretString === undefined) {
      throw new CertrelayError(
        ErrorCodes.STORE_NOT_FOUND,
        `credentials secret '${secretId}' was not found in AWS Secrets Manager; create it as a JSON object of the fields its provider reads`,
        { field: secretId },
      );
    }
    return parseCredentials(secretString.value, secretId);
  }

  /**
   * Credentials are normally created by people or IaC; this exists for CLI import and demo seeding.
   * Not part of the Store interface.
   */
  async putCredentials(secretId: string, credentials: Record<string, string>): Promise<void> {
    requireSecretId(secretId);
    const value = JSON.stringify(credentials);
    await this.putCurrentValue(secretId, value);
  }

  async *list(prefix: string): AsyncIterable<string> {
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.call("ListSecrets", prefix, () =>
        this.client.send(
          new ListSecretsCommand({
            MaxResults: this.pageSize,
            ...(prefix === "" ? {} : { Filters: [{ Key: "name", Values: [prefix] }] }),
            ...(token === undefined ? {} : { NextToken: token }),
          }),
        ),
      );
      for (const secret of page.SecretList ?? []) {
        // The AWS name filter also matches words inside names; keep only true prefixes.
        if (secret.Name !== undefined && secret.Name.startsWith(prefix)) yield secret.Name;
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== "");
  }

  /**
   * A compare-and-set lease on the secret's own version stages, so no other AWS resource (table, IAM) is needed:
   * the lease is the version labelled `certrelay-lease`, whose value `{"lease": {owner, expiresAt}}` says who
   * holds it. Taking it writes a new version under a label of its own, then moves `certrelay-lease` onto it with
   * `RemoveFromVersionId` set to the version read before: Secrets Manager refuses the move when the label has
   * moved meanwhile, so of two runs only one wins. Expired leases are taken over the same way.
   */
  async acquireLease(secretId: string, request: LeaseRequest): Promise<LeaseAttempt> {
    requireSecretId(secretId);
    return this.call("UpdateSecretVersionStage", secretId, async () => {
      // Only the very first lease of a secret has no version to compare against. AWS refuses the second of two such
      // moves; moto accepts both, and then every run that sees the label twice backs off and tries again after a
      // random pause (widening each time), so one of them takes it.
      for (let attempt = 1; ; attempt += 1) {
        const result = await this.tryLease(secretId, request);
        if (result !== "first-lease-collision") return result;
        if (attempt >= 8) return { acquired: false, holder: "another certrelay run" };
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(Math.random() * 150 * attempt)));
      }
    });
  }

  private async tryLease(secretId: string, request: LeaseRequest): Promise<LeaseAttempt | "first-lease-collision"> {
    const holder = await this.leaseHolder(secretId);
    if (
      holder &&
      holder.owner !== "" &&
      holder.owner !== request.owner &&
      Date.parse(holder.expiresAt) > request.now.getTime()
    ) {
      return { acquired: false, holder: holder.owner, expiresAt: holder.expiresAt };
    }
    const expiresAt = new Date(request.now.getTime() + request.ttlMs).toISOString();
    const moved = await this.moveLease(secretId, holder?.versionId, { owner: request.owner, expiresAt });
    // The very first lease was attached beside another run's (moto): compareAndSetLabel took it off ours.
    if (!moved.won)
      return moved.firstLabelShared ? "first-lease-collision" : { acquired: false, holder: "another certrelay run" };
    const versionId = moved.versionId;
    return {
      acquired: true,
      // The label stays, on a "free" version, so every later lease is a compare-and-set against it. The move
      // fails only when the lease was taken over after it expired: then it is not ours to free.
      lease: onceReleasedLease(request.owner, () =>
        this.moveLease(secretId, versionId, { owner: "", expiresAt: new Date(0).toISOString() }),
      ),
    };
  }

  /**
   * Write a lease version and move the lease label onto it from `fromVersionId` (compare-and-set, see label-cas.ts).
   * Not won: the label had moved meanwhile (another run won). Other failures are thrown as the SDK gave them, for
   * `call` to name.
   */
  private moveLease(
    secretId: string,
    fromVersionId: string | undefined,
    lease: { owner: string; expiresAt: string },
  ): Promise<LabelCasResult> {
    return compareAndSetLabel(this.client, secretId, {
      label: LEASE,
      value: JSON.stringify({ lease }),
      fromVersionId,
      labelledVersion: async () => (await this.readString(secretId, LEASE))?.versionId,
      fail: (_operation, e) => e ?? noVersionId(secretId),
      createSecret: () => this.createEmpty(secretId),
    });
  }

  private async leaseHolder(
    secretId: string,
  ): Promise<{ versionId: string; owner: string; expiresAt: string } | undefined> {
    const raw = await this.readString(secretId, LEASE);
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.value);
    } catch {
      parsed = undefined;
    }
    // An unreadable lease value is treated as expired: it is taken over with the same compare-and-set.
    if (!isLeaseValue(parsed))
      return { versionId: raw.versionId, owner: "unknown", expiresAt: new Date(0).toISOString() };
    return { versionId: raw.versionId, owner: parsed.lease.owner, expiresAt: parsed.lease.expiresAt };
  }

  private async readString(
    secretId: string,
    stage: string,
  ): Promise<{ value: string; versionId: string; stages: string[] } | undefined> {
    return this.call("GetSecretValue", secretId, async () => {
      try {
        // Always name the stage: moto keeps answering the old value for an unstaged read after a move.
        const answer = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
        return {
          value: answer.SecretString ?? "",
          versionId: answer.VersionId ?? "",
          stages: answer.VersionStages ?? [],
        };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    });
  }

  private async readStage(secretId: string, stage: string): Promise<StageContent> {
    return decodeStage(secretId, stage, await this.readString(secretId, stage));
  }

  /** A new version with a fresh idempotency token (moto rewrites stages when a token is re-sent). */
  private async putVersion(secretId: string, value: string, stages: string[]): Promise<string> {
    const answer = await this.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: value,
        VersionStages: stages,
        ClientRequestToken: randomUUID(),
      }),
    );
    if (answer.VersionId === undefined) throw noVersionId(secretId);
    return answer.VersionId;
  }

  private async createEmpty(secretId: string): Promise<void> {
    try {
      await this.client.send(new CreateSecretCommand({ Name: secretId, Description: "managed by certrelay" }));
    } catch (e) {
      // Another run created it first: fine, we only needed it to exist.
      if (!isAlreadyExists(e)) throw e;
    }
  }

  private async createWithValue(secretId: string, value: string): Promise<void> {
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: secretId,
          Description: "managed by certrelay",
          SecretString: value,
          ClientRequestToken: randomUUID(),
        }),
      );
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      await this.putVersion(secretId, value, [CURRENT]);
    }
  }

  /**
   * Fleet scans: one stage map for all the secrets (ListSecrets, 100 a page, under their common name prefix), then
   * current versions through BatchGetSecretValue (20 a call), instead of two GetSecretValue per secret. A secret
   * the map shows with AWSPENDING on another version, or that the batch could not answer, is read alone with
   * getCurrent/getPending, so every answer is what those would give.
   */
  async *readForScan(secretIds: readonly string[]): AsyncIterable<ScanRead[]> {
    const stages = await this.stageMap(secretIds);
    const state = { batchRefused: false };
    const ahead: Promise<ScanRead[]>[] = [];
    let next = 0;
    const fill = () => {
      while (ahead.length < SCAN_READ_AHEAD && next < secretIds.length) {
        const batch = secretIds.slice(next, next + BATCH_GET_LIMIT);
        next += batch.length;
        const read = this.readScanBatch(batch, stages, state);
        read.catch(() => undefined); // awaited in order below; a consumer that stops early must not leave it unhandled
        ahead.push(read);
      }
    };
    fill();
    while (ahead.length > 0) {
      const batch = await (ahead.shift() as Promise<ScanRead[]>);
      fill();
      yield batch;
    }
  }

  /**
   * For the requested secrets, which ones the map lists with AWSCURRENT and no AWSPENDING on another version (the
   * ones a batch can answer); undefined if they cannot be listed. Only that one fact is kept per secret, under the
   * caller's own id strings: at 10,000 secrets the version ids and listed names of the whole account were ~1.5 MiB
   * held from the first list page to the last batch.
   */
  private async stageMap(secretIds: readonly string[]): Promise<Map<string, boolean> | undefined> {
    const map = new Map<string, boolean>();
    for (const id of secretIds) map.set(id, false);
    const prefix = commonPrefix(secretIds);
    let nextToken: string | undefined;
    try {
      do {
        const token = nextToken;
        const page = await this.client.send(
          new ListSecretsCommand({
            MaxResults: 100,
            ...(prefix === "" ? {} : { Filters: [{ Key: "name", Values: [prefix] }] }),
            ...(token === undefined ? {} : { NextToken: token }),
          }),
        );
        for (const secret of page.SecretList ?? []) {
          if (secret.Name === undefined || !map.has(secret.Name)) continue;
          let current: string | undefined;
          let pending: string | undefined;
          for (const [versionId, labels] of Object.entries(secret.SecretVersionsToStages ?? {})) {
            if (labels.includes(CURRENT)) current = versionId;
            if (labels.includes(PENDING)) pending = versionId;
          }
          map.set(secret.Name, current !== undefined && (pending === undefined || pending === current));
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined && nextToken !== "");
    } catch {
      // No ListSecrets permission (or a throttled list): current versions are still batched, pending read alone.
      return undefined;
    }
    return map;
  }

  private async readScanBatch(
    secretIds: readonly string[],
    stages: Map<string, boolean> | undefined,
    state: { batchRefused: boolean },
  ): Promise<ScanRead[]> {
    const answers = new Map<string, ScanRead>();
    // Batched: secrets with a current version and no renewal on another version (or all, without a stage map).
    const batchable = secretIds.filter((id) => !stages || stages.get(id) === true);
    // each secret is read once per scan: its fact is dropped as its batch goes out
    for (const id of secretIds) stages?.delete(id);
    if (batchable.length > 0 && !state.batchRefused) {
      try {
        const answer = await this.client.send(new BatchGetSecretValueCommand({ SecretIdList: [...batchable] }));
        for (const value of answer.SecretValues ?? []) {
          const id = batchable.find((b) => b === value.Name || b === value.ARN);
          if (id === undefined) continue;
          const raw = {
            value: value.SecretString ?? "",
            versionId: value.VersionId ?? "",
            stages: value.VersionStages ?? [],
          };
          answers.set(id, await this.scanReadOf(id, raw, stages !== undefined));
        }
      } catch (e) {
        // moto (and IAM without secretsmanager:BatchGetSecretValue) refuse the whole call: read these alone.
        if (errorName(e) === "AccessDeniedException") state.batchRefused = true;
      }
    }
    return Promise.all(secretIds.map((id) => answers.get(id) ?? this.scanReadAlone(id)));
  }

  /** The batch's current value; `pendingKnown`: the stage map already said no renewal sits on another version. */
  private async scanReadOf(
    secretId: string,
    raw: { value: string; versionId: string; stages: string[] },
    pendingKnown: boolean,
  ): Promise<ScanRead> {
    try {
      const content = decodeStage(secretId, CURRENT, raw);
      const current = currentOf(secretId, content);
      // a pending envelope under AWSCURRENT (first write was putPending) is the renewal itself
      const pending = content.kind === "pending" || (!pendingKnown && (await this.getPending(secretId)) !== undefined);
      return { secretId, ...(current ? { current } : {}), pending };
    } catch (error) {
      return { secretId, pending: false, error };
    }
  }

  private async scanReadAlone(secretId: string): Promise<ScanRead> {
    try {
      const [current, pending] = await Promise.all([this.getCurrent(secretId), this.getPending(secretId)]);
      return { secretId, ...(current ? { current } : {}), pending: pending !== undefined };
    } catch (error) {
      return { secretId, pending: false, error };
    }
  }

  /** Runs one store operation and turns SDK failures into StoreError naming the operation and secret id only. */
  private async call<T>(operation: string, secretId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw toStoreError(e, operation, secretId, this.endpointSetting);
    }
  }
}

/** What getCurrent answers for the content of AWSCURRENT. */
function currentOf(secretId: string, content: StageContent): CertificateMaterial | undefined {
  switch (content.kind) {
    case "absent":
    case "pending":
    case "lease":
      return undefined;
    case "material":
      return content.material;
    case "other":
      throw new CertrelayError(
        ErrorCodes.STORE_ERROR,
        `secret '${secretId}' (${CURRENT}) is not certificate material${content.problem ? ` (${content.problem})` : ""}; it must be JSON {"certificate","privateKey","chain"}`,
        { field: secretId },
      );
  }
}

/** The longest prefix every id shares (ListSecrets filters by name prefix). */
function commonPrefix(ids: readonly string[]): string {
  let prefix = ids[0] ?? "";
  for (const id of ids) {
    while (!id.startsWith(prefix)) prefix = prefix.slice(0, -1);
    if (prefix === "") break;
  }
  return prefix;
}

/** A stage's value decoded by shape. */
function decodeStage(
  secretId: string,
  stage: string,
  raw: { value: string; versionId: string; stages: string[] } | undefined,
): StageContent {
  if (raw === undefined) return { kind: "absent" };
  const { versionId, stages } = raw;
  if (raw.value === "") return { kind: "other", versionId, stages };
  const parsed = parseJsonSafely(
    raw.value,
    `secret '${secretId}' (${stage})`,
    `move ${stage} back to an earlier, valid version (aws secretsmanager update-secret-version-stage), or delete the secret and run certrelay renew to issue the certificate again`,
  );
  // a secret whose first version was a lease has it under AWSCURRENT (AWS labels the first version so)
  if (isLeaseValue(parsed)) return { kind: "lease", versionId, stages };
  const envelope = pendingEnvelopeSchema.safeParse(parsed);
  if (envelope.success) return { kind: "pending", pending: toPending(envelope.data.pending), versionId, stages };
  const material = materialSchema.safeParse(parsed);
  if (material.success) return { kind: "material", material: toMaterial(material.data), versionId, stages };
  // which field is missing or wrong, by name only: the user fixes that one field instead of guessing
  const looksPending = typeof parsed === "object" && parsed !== null && "pending" in parsed;
  return { kind: "other", versionId, stages, ...(looksPending ? {} : { problem: materialFieldProblems(parsed) }) };
}

function noVersionId(secretId: string): CertrelayError {
  return new CertrelayError(ErrorCodes.STORE_ERROR, `Secrets Manager returned no version id for secret '${secretId}'`);
}

function isNotFound(e: unknown): boolean {
  return errorName(e) === "ResourceNotFoundException";
}

function isLeaseValue(value: unknown): value is { lease: { owner: string; expiresAt: string } } {
  if (typeof value !== "object" || value === null || !("lease" in value)) return false;
  const lease = (value as { lease: unknown }).lease;
  return (
    typeof lease === "object" &&
    lease !== null &&
    typeof (lease as { owner?: unknown }).owner === "string" &&
    typeof (lease as { expiresAt?: unknown }).expiresAt === "string"
  );
}

function isAlreadyExists(e: unknown): boolean {
  return errorName(e) === "ResourceExistsException";
}

/**
 * The two causes behind most "Error"s a user sees: no credentials at all, or an endpoint nobody answers on. Named
 * from the error's name and system code only (the SDK's messages may carry values).
 */
function awsCauseHint(e: unknown, endpointSetting: string): string {
  const name = errorName(e);
  if (name === "CredentialsProviderError") {
    return ": no AWS credentials found; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (moto_server takes any, e.g. test/test)";
  }
  for (let cause: unknown = e, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    const code = "code" in cause && typeof cause.code === "string" ? cause.code : undefined;
    if (
      code &&
      ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"].includes(
        code,
      )
    ) {
      return `: the Secrets Manager endpoint is unreachable (${code}); check ${endpointSetting}, and that the service (or moto_server) is running`;
    }
  }
  if (name === "TimeoutError")
    return ": the Secrets Manager endpoint did not answer in time; check the endpoint and the network";
  return "";
}

function toStoreError(e: unknown, operation: string, secretId: string, endpointSetting: string): CertrelayError {
  if (e instanceof CertrelayError) return e;
  const name = errorName(e) ?? "UnknownError";
  const status = statusOf(e);
  const hint =
    name === "AccessDeniedException" || name === "UnrecognizedClientException"
      ? "; check the IAM permissions and AWS credentials"
      : awsCauseHint(e, endpointSetting);
  // The SDK message is left out on purpose: only the error name and status are known to be free of values.
  return new CertrelayError(
    ErrorCodes.STORE_ERROR,
    `Secrets Manager ${operation} failed for secret '${secretId}': ${name}${status === undefined ? "" : ` (HTTP ${status})`}${hint}`,
    { field: secretId, cause: e },
  );
}

function statusOf(e: unknown): number | undefined {
  if (typeof e !== "object" || e === null || !("$metadata" in e)) return undefined;
  const metadata = (e as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode;
}
