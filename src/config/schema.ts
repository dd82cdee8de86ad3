import * as z from "zod";
import { acmeSchema } from "../providers/acme/config.js";

/**
 * The shape of `certrelay.yml`. Objects are strict so a misspelt field is reported instead of silently ignored;
 * messages say what is expected, never echo what was found (a value may be a pasted secret).
 */

/** Secrets Manager's own name alphabet; the file store encodes anything else away anyway. */
const SECRET_ID = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const CERTIFICATE_NAME = /^[a-z0-9._-]{1,64}$/;
const HOSTNAME = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export const secretIdSchema = z
  .string({ error: "expected a store secret id like certrelay/reseller" })
  .regex(SECRET_ID, { error: "expected a store secret id like certrelay/reseller (letters, digits and / _ + = . @ -)" });

function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "expected a URL like https://host:port";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "expected a URL like https://host:port";
  if (url.hostname === "") return "expected a URL like https://host:port";
  if (url.username !== "" || url.password !== "") {
    return "must not contain a user name or password; put them in the credentials secret";
  }
  return undefined;
}

export const endpointSchema = z
  .string({ error: "expected a URL like https://host:port" })
  .superRefine((value, ctx) => {
    const problem = httpUrlProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

const hostnameSchema = z
  .string({ error: "expected a host name like www.example.com" })
  .regex(HOSTNAME, { error: "expected a host name like www.example.com" });

/** Vendor ids arrive as numbers when YAML sees digits (`certificateId: 42`); keep them as strings. */
const vendorIdSchema = z
  .union([z.string().min(1), z.number().int().nonnegative()], { error: "expected an id (text or a whole number)" })
  .transform((value) => String(value));

const upperEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string({ error: `expected one of ${values.join("|")}` })
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(values, { error: `expected one of ${values.join("|")}` }));

const connection = {
  endpoint: endpointSchema,
  credentials: secretIdSchema,
  /** accept a plain http:// endpoint on another machine (a lab PBX on a trusted LAN); loopback needs no flag */
  allowInsecure: z.boolean({ error: "expected true or false" }).optional(),
};

export const yeastarSchema = z.strictObject({
  provider: z.literal("yeastar"),
  ...connection,
  certificateType: z.enum(["server", "trusted"], { error: "expected server or trusted" }).default("server"),
  /** delete older certificates with the same common name after a verified deploy (the PBX holds only 3 server certs) */
  pruneOld: z.boolean({ error: "expected true or false" }).default(false),
});

export const enosSchema = z
  .strictObject({
    provider: z.literal("enos"),
    ...connection,
    orgId: z.string({ error: "expected the EnOS organisation id" }).min(1),
    assetId: z.string().min(1).optional(),
    productKey: z.string().min(1).optional(),
    deviceKey: z.string().min(1).optional(),
    validDays: z.number({ error: "expected a whole number of days" }).int().min(1).max(36_500).optional(),
    // The EnOS API accepts the value in any case (spec: "It is not case-sensitive").
    issueAuthority: upperEnum(["RSA", "ECC"] as const).optional(),
  })
  .superRefine((value, ctx) => {
    const byAsset = value.assetId !== undefined;
    const byDevice = value.productKey !== undefined || value.deviceKey !== undefined;
    if (byAsset && byDevice) {
      ctx.addIssue({ code: "custom", path: ["assetId"], message: "give either assetId or productKey+deviceKey, not both" });
    } else if (!byAsset && !byDevice) {
      ctx.addIssue({ code: "custom", path: ["assetId"], message: "identify the device with assetId or productKey+deviceKey" });
    } else if (byDevice && (value.productKey === undefined || value.deviceKey === undefined)) {
      const missing = value.productKey === undefined ? "productKey" : "deviceKey";
      ctx.addIssue({ code: "custom", path: [missing], message: "productKey and deviceKey go together; add the missing one" });
    }
  });

export const cdnSchema = z
  .strictObject({
    provider: z.literal("cdn"),
    ...connection,
    /**
     * the host name the CDN serves this certificate for; verification connects with this SNI. Without it the
     * certificate is verified through the API (on the account's certificate list), the edge is not probed.
     */
    verifyHost: hostnameSchema.optional(),
    verifyPort: z.number({ error: "expected a port number" }).int().min(1).max(65_535).optional(),
    /** where to connect for verification when DNS does not point at the CDN yet (e.g. the sandbox edge 127.0.0.1:8443) */
    verifyAddress: z
      .string({ error: "expected host:port like 127.0.0.1:8443" })
      .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: "expected host:port like 127.0.0.1:8443" })
      .refine((value) => {
        const port = Number(value.slice(value.lastIndexOf(":") + 1));
        return port >= 1 && port <= 65_535;
      }, { error: "expected a port from 1 to 65535 after the colon" })
      .optional(),
    serviceId: vendorIdSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.verifyHost !== undefined) return;
    for (const field of ["verifyPort", "verifyAddress", "serviceId"] as const) {
      if (value[field] !== undefined) ctx.addIssue({ code: "custom", path: ["verifyHost"], message: `required when ${field} is set` });
    }
  });

export const resellerSchema = z
  .strictObject({
    provider: z.literal("reseller"),
    ...connection,
    certificateId: vendorIdSchema.optional(),
    plan: z.guid({ error: "expected a plan UUID like 3f7830c3-3fa4-404d-908f-35daaa1cd17b" }).optional(),
    dcvType: upperEnum(["EMAIL", "FILE", "DNS"] as const),
    approverEmail: z.email({ error: "expected an e-mail address" }).optional(),
  })
  .superRefine((value, ctx) => {
    // Reseller spec: approver_email_address is required for EMAIL domain control validation.
    if (value.dcvType === "EMAIL" && value.approverEmail === undefined) {
      ctx.addIssue({ code: "custom", path: ["approverEmail"], message: "required when dcvType is EMAIL" });
    }
  });

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
export type YeastarConfig = z.output<typeof yeastarSchema>;
export type EnosConfig = z.output<typeof enosSchema>;
export type CdnConfig = z.output<typeof cdnSchema>;
export type ResellerConfig = z.output<typeof resellerSchema>;

/** The renewal window for one certificate: its own override, else the file-wide value. */
export function renewBeforeDaysFor(config: CertrelayConfig, certificate: ManagedCertificate): number {
  return certificate.renewBeforeDays ?? config.renewBeforeDays;
}
