/**
 * A compare-and-set on one staging label of a Secrets Manager secret, so no other AWS resource (table, IAM) is
 * needed: the certificate lease (`certrelay-lease`) and the Yeastar sessions (`CERTRELAY_SESSIONS`) both take it.
 * The new value is written as a version under a candidate label of its own, then the label is moved onto it with
 * `RemoveFromVersionId` = the version read before, which Secrets Manager refuses when the label moved meanwhile: of
 * two writers only one wins.
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
  const candidate = `${label}-${randomUUID().slice(0, 8)}`;
  const versionId = await putCandidate(client, secretId, request, candidate);
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
        alone = await labelledAlone(client, secretId, label, versionId);
      } catch (e) {
        throw request.fail("UpdateSecretVersionStage", e);
      }
      if (!alone) return { won: false, firstLabelShared: true };
    }
    return { won: true, versionId };
  } finally {
    await dropLabel(client, secretId, candidate, versionId);
  }
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
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const labelled = Object.entries(described.VersionIdsToStages ?? {}).filter(([, stages]) => stages.includes(label));
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

function errorName(e: unknown): string | undefined {
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
