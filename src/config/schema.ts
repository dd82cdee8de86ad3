import * as z from "zod";
import { acmeSchema } from "../providers/acme/config.js";
import { cdnSchema } from "../providers/cdn/config.js";
import { enosSchema } from "../providers/enos/config.js";
import { hostnameSchema, secretIdSchema } from "../providers/kit/config.js";
import { resellerSchema } from "../providers/reseller/config.js";
import { yeastarSchema } from "../providers/yeastar/config.js";

export { endpointSchema } from "../providers/kit/config.js";
export { secretIdSchema };
export { cdnSchema, enosSchema, resellerSchema, yeastarSchema };

/**
 * The shape of `certrelay.yml`. Objects are strict so a misspelt field is reported instead of silently ignored;
 * messages say what is expected, never echo what was found (a value may be a pasted secret).
 */

const CERTIFICATE_NAME = /^[a-z0-9._-]{1,64}$/;

export const issuerSchema = z.discriminatedUnion("provider", [resellerSchema, enosSchema, yeastarSchema, acmeSchema]);
export const targetSchema = z.discriminatedUnion("provider", [yeastarSchema, cdnSchema, enosSchema]);

export const ISSUER_PROVIDERS = ["reseller", "enos", "yeastar", "acme"] as const;
export const TARGET_PROVIDERS = ["yeastar", "cdn", "enos"] as const;

const renewBeforeDaysSchema = z.number({ error: "expected a whole number of days from 1 to 365" }).int().min(1).max(365);

export const managedCertificateSchema = z
  .strictObject({
    name: z
      .string({ error: "expected a name made of a-z 0-9 - _ ." })
      .regex(CERTIFICATE_NAME, { error: "expected a name made of a-z 0-9 - _ . (at most 64)" }),
    /** store secret id that holds current material and the pending renewal */
    secret: secretIdSchema,
    commonName: hostnameSchema.optional(),
    sans: z.array(hostnameSchema, { error: "expected a list of host names" }).optional(),
    keyType: z.enum(["rsa", "ecc"], { error: "expected rsa or ecc" }).optional(),
    renewBeforeDays: renewBeforeDaysSchema.optional(),
    /** absent: certrelay only deploys and verifies what is in the store; renewal is someone else's job */
    issuer: issuerSchema.optional(),
    targets: z.array(targetSchema, { error: "expected a list of targets" }).default([]),
  })
  .superRefine((value, ctx) => {
    if (value.issuer === undefined && value.targets.length === 0) {
      ctx.addIssue({ code: "custom", path: ["targets"], message: "a certificate needs an issuer or at least one target" });
    }
  });

export const configSchema = z.strictObject({
  renewBeforeDays: renewBeforeDaysSchema.default(30),
  concurrency: z.number({ error: "expected a whole number from 1 to 64" }).int().min(1).max(64).default(4),
  /** per-attempt timeout of vendor HTTP requests; --http-timeout / CERTRELAY_HTTP_TIMEOUT_MS / HTTP_TIMEOUT_MS win over it */
  httpTimeoutMs: z.number({ error: "expected milliseconds from 100 to 900000" }).int().min(100).max(900_000).optional(),
  certificates: z
    .array(managedCertificateSchema, { error: "expected a list of certificates" })
    .min(1, { error: "list at least one certificate" }),
});

export type CertrelayConfig = z.output<typeof configSchema>;
export type ManagedCertificate = z.output<typeof managedCertificateSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type IssuerConfig = z.output<typeof issuerSchema>;
export type { YeastarConfig } from "../providers/yeastar/config.js";
export type { EnosConfig } from "../providers/enos/config.js";
export type { CdnConfig } from "../providers/cdn/config.js";
export type { ResellerConfig } from "../providers/reseller/config.js";

/** The renewal window for one certificate: its own override, else the file-wide value. */
export function renewBeforeDaysFor(config: CertrelayConfig, certificate: ManagedCertificate): number {
  return certificate.renewBeforeDays ?? config.renewBeforeDays;
}
