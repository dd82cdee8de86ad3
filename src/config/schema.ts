/**
 * The shape of `certrelay.yml`. Objects are strict so a misspelt field is reported instead of silently ignored;
 * messages say what is expected, never echo what was found (a value may be a pasted secret). The target and issuer
 * entries are the vendors' own schemas (src/providers/<vendor>/config.ts), joined here from a list of definitions.
 */
import * as z from "zod/mini";
import "../zod-locale.js";
import type { BuiltInIssuerConfig, BuiltInTargetConfig } from "../providers/index.js";
import type { KeyType } from "../model.js";
import { hostnameSchema, secretIdSchema } from "../providers/kit/config.js";
import type {
  AnyProviderDefinition,
  EntryBase,
  EntrySchema,
  IssuerEntryOf,
  TargetEntryOf,
} from "../providers/kit/definition.js";

export { endpointSchema } from "../providers/kit/config.js";
export { secretIdSchema };
export { cdnSchema } from "../providers/cdn/config.js";
export { enosSchema } from "../providers/enos/config.js";
export { resellerSchema } from "../providers/reseller/config.js";
export { yeastarSchema } from "../providers/yeastar/config.js";

const CERTIFICATE_NAME = /^[a-z0-9._-]{1,64}$/;

/** The schemas of one catalog's config entries: a discriminated union per role over its definitions. */
export interface RoleSchemas<T extends EntryBase, I extends EntryBase> {
  target: z.ZodMiniType<T>;
  issuer: z.ZodMiniType<I>;
  /** names with a target role, in list order (messages list them) */
  targetProviders: readonly string[];
  /** names with an issuer role, in list order */
  issuerProviders: readonly string[];
  /**
   * Why a certificate asking for `wanted` keys cannot have this issuer entry (the issuer's definition makes the
   * other type), or undefined when they agree or the issuer does not say which type it makes.
   */
  keyTypeConflict?: (issuer: I, wanted: KeyType) => string | undefined;
}

/**
 * The target and issuer unions over a list of definitions. A vendor with `notAnIssuer` is in the issuer union only
 * to be refused at `issuer.provider` with its reason (and no other problem of the entry).
 */
export function roleSchemasFor<D extends AnyProviderDefinition>(
  list: readonly D[],
): RoleSchemas<TargetEntryOf<D>, IssuerEntryOf<D>> {
  const targets: EntrySchema<TargetEntryOf<D>>[] = [];
  const issuers: EntrySchema<IssuerEntryOf<D>>[] = [];
  for (const definition of list) {
    if (definition.target) targets.push(definition.target.schema);
    if (definition.issuer) issuers.push(definition.issuer.schema);
    else if (definition.notAnIssuer !== undefined) issuers.push(refused(definition.name, definition.notAnIssuer));
  }
  const byName = new Map(list.map((d) => [d.name, d] as const));
  return {
    target: unionOf(targets, "target"),
    issuer: unionOf(issuers, "issuer"),
    targetProviders: list.filter((d) => d.target !== undefined).map((d) => d.name),
    issuerProviders: list.filter((d) => d.issuer !== undefined).map((d) => d.name),
    keyTypeConflict(issuer, wanted) {
      // (an issuer entry is an EntryBase; TypeScript cannot see that through the deferred conditional type)
      const { provider } = issuer as EntryBase;
      const role = byName.get(provider)?.issuer;
      const made = role?.keyTypeOf?.(issuer);
      if (made === undefined || made === wanted) return undefined;
      const fix = role?.keyTypeFix?.(issuer, wanted) ?? `set keyType ${made} or remove it`;
      return `is ${wanted} but its issuer (${provider}) makes ${made} keys; ${fix}`;
    },
  };
}

/** The message for `issuer.provider: <name>` of a vendor that cannot be a pipeline issuer. */
export function notAnIssuerMessage(name: string, reason: string): string {
  return `${name} cannot be a pipeline issuer: ${reason}`;
}

function refused(name: string, reason: string): EntrySchema<never> {
  return z.pipe(
    z
      .looseObject({ provider: z.literal(name) })
      .check(
        z.superRefine((_value, ctx) =>
          ctx.addIssue({ code: "custom", path: ["provider"], message: notAnIssuerMessage(name, reason) }),
        ),
      ),
    z.never(),
  );
}

function unionOf<E extends EntryBase>(options: EntrySchema<E>[], role: string): z.ZodMiniType<E> {
  const [first, ...rest] = options;
  // a union needs one member; a list with no provider of this role accepts none (and says so)
  if (first === undefined) return z.never({ error: `no provider can be a ${role}` });
  return z.discriminatedUnion("provider", [first, ...rest]);
}

const renewBeforeDaysSchema = z
  .number({ error: "expected a whole number of days from 1 to 365" })
  .check(z.int(), z.minimum(1), z.maximum(365));

/** `certificates[]` and the whole file, over a catalog's target and issuer unions. */
export function configSchemasFor<T extends EntryBase, I extends EntryBase>(
  roles: Pick<RoleSchemas<T, I>, "target" | "issuer" | "keyTypeConflict">,
) {
  const certificate = z
    .strictObject({
      name: z
        .string({ error: "expected a name made of a-z 0-9 - _ ." })
        .check(z.regex(CERTIFICATE_NAME, { error: "expected a name made of a-z 0-9 - _ . (at most 64)" })),
      /** store secret id that holds current material and the pending renewal */
      secret: secretIdSchema,
      commonName: z.optional(hostnameSchema),
      sans: z.optional(z.array(hostnameSchema, { error: "expected a list of host names" })),
      keyType: z.optional(z.enum(["rsa", "ecc"], { error: "expected rsa or ecc" })),
      renewBeforeDays: z.optional(renewBeforeDaysSchema),
      /** absent: certrelay only deploys and verifies what is in the store; renewal is someone else's job */
      issuer: z.optional(roles.issuer),
      targets: z._default(z.array(roles.target, { error: "expected a list of targets" }), []),
    })
    .check(
      z.superRefine((value, ctx) => {
        if (value.issuer === undefined && value.targets.length === 0) {
          ctx.addIssue({
            code: "custom",
            path: ["targets"],
            message: "a certificate needs an issuer or at least one target",
          });
        }
        // Refused when the file is read (check, deploy, a renewal not yet due), not first on renewal day.
        const conflict =
          value.keyType !== undefined && value.issuer !== undefined
            ? roles.keyTypeConflict?.(value.issuer, value.keyType)
            : undefined;
        if (conflict !== undefined) ctx.addIssue({ code: "custom", path: ["keyType"], message: conflict });
      }),
    );
  const config = z.strictObject({
    renewBeforeDays: z._default(renewBeforeDaysSchema, 30),
    concurrency: z._default(
      z.number({ error: "expected a whole number from 1 to 64" }).check(z.int(), z.minimum(1), z.maximum(64)),
      4,
    ),
    /** per-attempt timeout of vendor HTTP requests; --http-timeout / CERTRELAY_HTTP_TIMEOUT_MS / HTTP_TIMEOUT_MS win over it */
    httpTimeoutMs: z.optional(
      z
        .number({ error: "expected milliseconds from 100 to 900000" })
        .check(z.int(), z.minimum(100), z.maximum(900_000)),
    ),
    certificates: z
      .array(certificate, { error: "expected a list of certificates" })
      .check(z.minLength(1, { error: "list at least one certificate" })),
  });
  return { certificate, config };
}

type ConfigSchemas<T extends EntryBase, I extends EntryBase> = ReturnType<typeof configSchemasFor<T, I>>;
/** certrelay.yml as a catalog with these target and issuer entries reads it. */
export type CertrelayConfigOf<T extends EntryBase, I extends EntryBase> = z.output<ConfigSchemas<T, I>["config"]>;
export type ManagedCertificateOf<T extends EntryBase, I extends EntryBase> = z.output<
  ConfigSchemas<T, I>["certificate"]
>;

/** A built-in target entry, narrowed by `provider`. */
export type TargetConfig = BuiltInTargetConfig;
/** A built-in issuer entry, narrowed by `provider`. */
export type IssuerConfig = BuiltInIssuerConfig;
/**
 * certrelay.yml as any catalog reads it: the pipeline, the fleet and the operations only need what every entry has
 * (`provider`, `credentials`, `endpoint`) and hand entries back to the catalog that parsed them.
 */
export type CertrelayConfig = CertrelayConfigOf<EntryBase, EntryBase>;
export type ManagedCertificate = ManagedCertificateOf<EntryBase, EntryBase>;
/** certrelay.yml with only built-in vendors, each entry narrowed by `provider` (fixtures that write one). */
export type BuiltInCertrelayConfig = CertrelayConfigOf<TargetConfig, IssuerConfig>;
export type BuiltInManagedCertificate = ManagedCertificateOf<TargetConfig, IssuerConfig>;
export type { YeastarConfig } from "../providers/yeastar/config.js";
export type { EnosConfig } from "../providers/enos/config.js";
export type { CdnConfig } from "../providers/cdn/config.js";
export type { ResellerConfig } from "../providers/reseller/config.js";

/** The renewal window for one certificate: its own override, else the file-wide value. */
export function renewBeforeDaysFor(config: CertrelayConfig, certificate: ManagedCertificate): number {
  return certificate.renewBeforeDays ?? config.renewBeforeDays;
}
