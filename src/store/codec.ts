import * as z from "zod/mini";
import { CertrelayError, ErrorCodes } from "../errors.js";
import type { CertificateMaterial } from "../model.js";
import type { PendingRenewal } from "./types.js";

/**
 * The JSON shapes both stores keep. Parsing goes through zod so a hand-edited or foreign secret is reported
 * by secret id and shape, never by echoing its content.
 */
export const materialSchema = z.object({
  certificate: z.string().check(z.minLength(1)),
  privateKey: z.string().check(z.minLength(1)),
  chain: z.string(),
});

export const pendingSchema = z.object({
  reference: z.string(),
  createdAt: z.string(),
  privateKey: z.string().check(z.minLength(1)),
  csr: z.string(),
  orderId: z.optional(z.string()),
  certificate: z.optional(z.string()),
  chain: z.optional(z.string()),
  deployedTo: z.array(z.string()),
  attempts: z.number().check(z.int(), z.nonnegative()),
  lastError: z.optional(
    z.object({ code: z.string(), message: z.string(), at: z.string(), backoffUntil: z.optional(z.string()) }),
  ),
  abandoned: z.optional(
    z.array(z.object({ reference: z.string(), orderId: z.optional(z.string()), reason: z.string(), at: z.string() })),
  ),
});

/** Secrets Manager AWSPENDING value: the bookkeeping is wrapped so it can never be mistaken for material. */
export const pendingEnvelopeSchema = z.object({ pending: pendingSchema });

const credentialValue = z.pipe(
  z.union([z.string(), z.number(), z.boolean()]),
  z.transform((v: string | number | boolean) => String(v)),
);
export const credentialsSchema = z.record(z.string(), credentialValue);

/** Which fields of stored material are missing or not text, by name only (their values may be keys). */
export function materialFieldProblems(value: unknown): string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "it is not a JSON object";
  const record = value as Record<string, unknown>;
  const missing = ["certificate", "privateKey", "chain"].filter((f) => record[f] === undefined);
  const wrong = ["certificate", "privateKey", "chain"].filter(
    (f) => record[f] !== undefined && (typeof record[f] !== "string" || (f !== "chain" && record[f] === "")),
  );
  return (
    [
      ...(missing.length > 0 ? [`missing field ${missing.join(", ")}`] : []),
      ...(wrong.length > 0 ? [`field ${wrong.join(", ")} is empty or not text`] : []),
    ].join("; ") || "its shape is not {certificate, privateKey, chain}"
  );
}

export function toMaterial(value: z.infer<typeof materialSchema>): CertificateMaterial {
  // Copy only the three fields: anything else kept in the secret never reaches deploy code.
  return { certificate: value.certificate, privateKey: value.privateKey, chain: value.chain };
}

export function toPending(value: z.infer<typeof pendingSchema>): PendingRenewal {
  const pending: PendingRenewal = {
    reference: value.reference,
    createdAt: value.createdAt,
    privateKey: value.privateKey,
    csr: value.csr,
    deployedTo: [...value.deployedTo],
    attempts: value.attempts,
  };
  if (value.orderId !== undefined) pending.orderId = value.orderId;
  if (value.certificate !== undefined) pending.certificate = value.certificate;
  if (value.chain !== undefined) pending.chain = value.chain;
  if (value.lastError !== undefined) pending.lastError = { ...value.lastError };
  if (value.abandoned !== undefined) pending.abandoned = value.abandoned.map((a) => ({ ...a }));
  return pending;
}

/**
 * JSON.parse that never puts the text into the error (it may be a private key). `fix` says what the user can do:
 * no certrelay command rewrites a broken entry, so it names restoring it or making it again.
 */
export function parseJsonSafely(text: string, where: string, fix: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new CertrelayError(ErrorCodes.STORE_ERROR, `${where} does not hold valid JSON: ${fix}`, {
      cause: cause instanceof Error ? new Error(cause.name) : undefined,
    });
  }
}

/** A pending renewal that can be promoted: the issuer has delivered certificate and chain. */
export function completedMaterial(pending: PendingRenewal, where: string): CertificateMaterial {
  if (pending.certificate === undefined || pending.certificate === "" || pending.chain === undefined) {
    throw new CertrelayError(
      ErrorCodes.STORE_ERROR,
      `cannot promote ${where}: the pending renewal has no issued certificate and chain yet; finish issuance first`,
    );
  }
  return { certificate: pending.certificate, privateKey: pending.privateKey, chain: pending.chain };
}

export function requireSecretId(secretId: string): void {
  if (typeof secretId !== "string" || secretId.trim() === "") {
    throw new CertrelayError(ErrorCodes.STORE_ERROR, "secret id is empty; pass a store secret id like certrelay/www");
  }
}

/** Credentials secrets hold a flat JSON object; numbers and booleans are accepted and kept as strings. */
export function parseCredentials(text: string, secretId: string): Record<string, string> {
  const where = `credentials secret '${secretId}'`;
  const parsed = credentialsSchema.safeParse(
    parseJsonSafely(text, where, "put its provider's fields back as one JSON object of strings"),
  );
  if (!parsed.success) {
    throw new CertrelayError(
      ErrorCodes.STORE_ERROR,
      `${where} must hold a JSON object of strings: the fields its provider reads`,
      { field: secretId },
    );
  }
  return parsed.data;
}
