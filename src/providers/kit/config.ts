/**
 * Field schemas several vendors' config entries share (moved here from src/config/schema.ts so each vendor folder
 * can own its entry schema without importing src/config, which derives its unions from the vendor folders).
 * Messages say what is expected and never echo what was found (a value may be a pasted secret).
 */
import * as z from "zod/mini";
import "../../zod-locale.js";

/** Secrets Manager's own name alphabet; the file store encodes anything else away anyway. */
export const SECRET_ID = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const HOSTNAME = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export const secretIdSchema = z.string({ error: "expected a store secret id like certrelay/reseller" }).check(
  z.regex(SECRET_ID, {
    error: "expected a store secret id like certrelay/reseller (letters, digits and / _ + = . @ -)",
  }),
);

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

export const endpointSchema = z.string({ error: "expected a URL like https://host:port" }).check(
  z.superRefine((value, ctx) => {
    const problem = httpUrlProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  }),
);

export const hostnameSchema = z
  .string({ error: "expected a host name like www.example.com" })
  .check(z.regex(HOSTNAME, { error: "expected a host name like www.example.com" }));

/** The same rule as `hostnameSchema`, for entries that read names outside a config file (the Action's inputs). */
export function isHostName(value: string): boolean {
  return HOSTNAME.test(value);
}

/** Vendor ids arrive as numbers when YAML sees digits (`certificateId: 42`); keep them as strings. */
export const vendorIdSchema = z.pipe(
  z.union([z.string().check(z.minLength(1)), z.number().check(z.int(), z.nonnegative())], {
    error: "expected an id (text or a whole number)",
  }),
  z.transform((value: string | number) => String(value)),
);

/** One of a few words in any case (vendors that say "not case-sensitive"), kept upper-case. */
export const upperEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.pipe(
    z.pipe(
      z.string({ error: `expected one of ${values.join("|")}` }),
      z.transform((value: string) => value.toUpperCase()),
    ),
    z.enum(values, { error: `expected one of ${values.join("|")}` }),
  );

/** The fields of an entry that talks to a vendor endpoint with credentials from the store. */
export const connection = {
  endpoint: endpointSchema,
  credentials: secretIdSchema,
  /** accept a plain http:// endpoint on another machine (a lab PBX on a trusted LAN); loopback needs no flag */
  allowInsecure: z.optional(z.boolean({ error: "expected true or false" })),
};

/**
 * A value built on first use, then kept. Credential schemas are only needed when a run validates credentials or
 * derives hints from them, so building them at import would only add to every entry point's cold start.
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
