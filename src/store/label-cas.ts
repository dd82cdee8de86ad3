/**
 * A compare-and-set on one staging label of a Secrets Manager secret, so no other AWS resource (table, IAM) is
 * needed: the certificate lease (`certrelay-lease`) and the Yeastar sessions (`CERTRELAY_SESSIONS`) both take it.
 * The new value is written as a version under a candidate label of its own, then the label is moved onto it with
 * `RemoveFromVersionId` = the version read before, which Secrets Manager refuses when the label moved meanwhile: of
 * two writers only one wins.
 *
 * A candidate label outlives its compare-and-set when the run is killed between the put and the drop, or the drop
 * fails; Secrets Manager never removes a labelled version and limits staging labels per secret, so a won move also
 * sweeps its family's stale candidates (sweepStaleCandidates).
 */
import {
  DescribeSecretCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "node:crypto";

export interface LabelCasRequest {
  /** the label moved (compared and set) */
  label: string;
  /** the new version's SecretString */
  value: string;
  /** the version the label was read on; undefined: the label is on no version yet (the very first one) */
  fromVersionId: string | undefined;
  /** the version the label is on now (undefined: none); asked only to judge a move whose answer was not a refusal */
  labelledVersion: () => Promise<string | undefined>;
  /**
   * The error to throw for a failed `operation` (`e` undefined: the put answered no version id). A move that was
   * refused (lost race) or failed with a 5xx without the label ending on ours is a loss, never an error.
   */
  fail: (operation: "PutSecretValue" | "UpdateSecretVersionStage", e: unknown) => unknown;
  /** called when the put finds no secret: makes it, and the put is tried once more (without it, the put fails) */
  createSecret?: () => Promise<void>;
}

export type LabelCasResult =
  | { won: true; versionId: string }
  /** `firstLabelShared`: the very first move attached the label beside another writer's (moto); try again later */
  | { won: false; firstLabelShared?: boolean };

/** Whether `value` now sits under `label`, moved there from `fromVersionId`; the candidate label is always dropped. */
export async function compareAndSetLabel(
  client: SecretsManagerClient,
  secretId: string,
  request: LabelCasRequest,
): Promise<LabelCasResult> {
  const { label, fromVersionId } = request;
  // Its own label keeps the new version from being deprecated (or taking AWSCURRENT) before the move.
  const candidate = candidateLabel(label, Date.now());
  const versionId = await putCandidate(client, secretId, request, candidate);
  let won = false;
  // the stages read to judge the very first move, so the sweep can ride on that read
  let stages: VersionStages | undefined;
  try {
    try {
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: label,
          MoveToVersionId: versionId,
          ...(fromVersionId ? { RemoveFromVersionId: fromVersionId } : {}),
        }),
      );
    } catch (e) {
      // A refused move lost the race. Any other failure may have happened after the move took effect (a 5xx, a
      // dropped answer): the label itself says who won.
      const won = !isLostRace(e) && (await request.labelledVersion().catch(() => undefined)) === versionId;
      if (!won) {
        if (isLostRace(e) || isServerFault(e)) return { won: false };
        throw request.fail("UpdateSecretVersionStage", e);
      }
    }
    if (!fromVersionId) {
      let alone: boolean;
      try {
        stages = await describeStages(client, secretId);
        alone = await judgeAlone(client, secretId, label, versionId, stages);
      } catch (e) {
        throw request.fail("UpdateSecretVersionStage", e);
      }
      if (!alone) return { won: false, firstLabelShared: true };
    }
    won = true;
    return { won: true, versionId };
  } finally {
    await dropLabel(client, secretId, candidate, versionId);
    // Only a won move pays for a sweep, so runs that lose (and retry) in a busy moment add no calls.
    if (won) await sweepStaleCandidates(client, secretId, label, stages, Date.now());
  }
}

type VersionStages = Record<string, string[]>;

/**
 * `${label}-c<creation time, ms since epoch in base 36>-<8 hex>`: the time lets any later run tell a leftover from
 * another run's in-flight candidate. Letters, digits and `-` only, well within AWS's staging-label rules (1-256
 * characters of letters, digits and `_+=.@-`), which moto checks too.
 */
export function candidateLabel(label: string, now: number): string {
  return `${label}-c${now.toString(36)}-${randomUUID().slice(0, 8)}`;
}

/**
 * No compare-and-set takes anywhere near this long (a put and one or two moves), so a candidate this old is a
 * leftover; a younger one may be another run's in flight, whose move needs it on its version, and stays.
 */
export const STALE_CANDIDATE_MS = 15 * 60_000;

/**
 * An extra DescribeSecret (when no read of the stages is at hand) is made at most this often per secret and label
 * per client: leftovers are rare (a killed run, a failed drop), so a sweep every few minutes keeps them far below
 * the per-secret label limit without adding a call to every lease and sessions update.
 */
const SWEEP_INTERVAL_MS = 10 * 60_000;
const lastSweeps = new WeakMap<SecretsManagerClient, Map<string, number>>();

/** When `stage` is a candidate label of `label`'s family that is stale at `now` (never the label itself). */
export function isStaleCandidate(stage: string, label: string, now: number): boolean {
  if (!stage.startsWith(`${label}-`)) return false;
  const rest = stage.slice(label.length + 1);
  const timed = /^c([0-9a-z]{1,11})-[0-9a-f]{8}$/.exec(rest);
  if (timed?.[1] !== undefined) {
    const createdAt = parseInt(timed[1], 36);
    // a creation time ahead of ours (a host whose clock runs fast) is kept until it is stale by our clock
    return now - createdAt > STALE_CANDIDATE_MS;
  }
  // Candidates from before the time was in the label (`${label}-` + 8 hex). Nothing tells their age, so they are
  // all taken as stale. Only an older certrelay binary running its compare-and-set at this very moment could still
  // need one, and losing it costs that run nothing: the label is only there to keep its new version from being
  // deprecated before the move, which moves onto an unlabelled version just as well, and its own drop ignores a
  // label already gone.
  return /^[0-9a-f]{8}$/.test(rest);
}

/**
 * Removes every stale candidate label of `label`'s family (never `label` itself, AWS's own labels or another
 * family's), reading the stages only when `stages` is not given and no sweep of this secret and label ran within
 * SWEEP_INTERVAL_MS. Housekeeping only: any failure (no DescribeSecret permission, a label already gone) is
 * ignored and left to a later sweep.
 */
async function sweepStaleCandidates(
  client: SecretsManagerClient,
  secretId: string,
  label: string,
  stages: VersionStages | undefined,
  now: number,
): Promise<void> {
  let sweeps = lastSweeps.get(client);
  if (sweeps === undefined) {
    sweeps = new Map();
    lastSweeps.set(client, sweeps);
  }
  const key = `${label}\u0000${secretId}`;
  const last = sweeps.get(key);
  if (stages === undefined && last !== undefined && now - last < SWEEP_INTERVAL_MS) return;
  sweeps.set(key, now);
  try {
    const read = stages ?? (await describeStages(client, secretId));
    for (const [versionId, versionStages] of Object.entries(read)) {
      for (const stage of versionStages) {
        if (isStaleCandidate(stage, label, now)) await dropLabel(client, secretId, stage, versionId);
      }
    }
  } catch {
    // a sweep that could not read the stages leaves the leftovers to the next one
  }
}

async function describeStages(client: SecretsManagerClient, secretId: string): Promise<VersionStages> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  return described.VersionIdsToStages ?? {};
}

/** A new version under `candidate` only, with a fresh idempotency token (moto rewrites stages when one is re-sent). */
async function putCandidate(
  client: SecretsManagerClient,
  secretId: string,
  request: LabelCasRequest,
  candidate: string,
): Promise<string> {
  const put = () =>
    client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: request.value,
        VersionStages: [candidate],
        ClientRequestToken: randomUUID(),
      }),
    );
  let answer;
  try {
    try {
      answer = await put();
    } catch (e) {
      if (request.createSecret === undefined || errorName(e) !== "ResourceNotFoundException") throw e;
      await request.createSecret();
      answer = await put();
    }
  } catch (e) {
    throw request.fail("PutSecretValue", e);
  }
  if (answer.VersionId === undefined) throw request.fail("PutSecretValue", undefined);
  return answer.VersionId;
}

/**
 * The very first move has no version to compare against: AWS refuses to move a label attached elsewhere without
 * RemoveFromVersionId (so the second of two such moves), moto attaches the label twice. Either way the label is
 * ours only if it is on our version alone; when it is not, it is taken off ours.
 */
export async function labelledAlone(
  client: SecretsManagerClient,
  secretId: string,
  label: string,
  versionId: string,
): Promise<boolean> {
  return judgeAlone(client, secretId, label, versionId, await describeStages(client, secretId));
}

async function judgeAlone(
  client: SecretsManagerClient,
  secretId: string,
  label: string,
  versionId: string,
  stages: VersionStages,
): Promise<boolean> {
  const labelled = Object.entries(stages).filter(([, versionStages]) => versionStages.includes(label));
  if (labelled.length === 1 && labelled[0]?.[0] === versionId) return true;
  await dropLabel(client, secretId, label, versionId);
  return false;
}

export async function dropLabel(
  client: SecretsManagerClient,
  secretId: string,
  label: string,
  versionId: string,
): Promise<void> {
  try {
    await client.send(
      new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: label, RemoveFromVersionId: versionId }),
    );
  } catch {
    // the label is already gone (moved on, taken over, or never attached): nothing of ours to remove
  }
}

/** The AWS SDK error's name (`ResourceNotFoundException`, ...), which is how its failures are told apart. */
export function errorName(e: unknown): string | undefined {
  return e instanceof Error ? e.name : undefined;
}

/** The compare-and-set was refused: the label moved since it was read. */
export function isLostRace(e: unknown): boolean {
  const name = errorName(e);
  return name === "InvalidParameterException" || name === "InvalidRequestException";
}

function isServerFault(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return (status ?? 0) >= 500;
}
