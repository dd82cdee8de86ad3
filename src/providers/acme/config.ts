/**
 * `issuer: { provider: acme, ... }` in certrelay.yml. Defined here (not in src/config) so everything ACME-specific
 * stays in this folder; src/config only lists it in the issuer union. Field names follow lego's flags where one
 * exists (`--server` -> directory, `--email`, `--accept-tos`, `--key-type`, `--profile`, `--dns`).
 */
import * as z from "zod/mini";
import "../../zod-locale.js";
import { dnsProviderSchema } from "../../dns/index.js";
import { once } from "../kit/config.js";

/** Directory presets (lego/certbot users know these names); anything else must be an https URL. */
export const DIRECTORY_PRESETS = {
  letsencrypt: "https://acme-v02.api.letsencrypt.org/directory",
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

/** lego's --key-type values certrelay can produce and every target takes. */
export const ACME_KEY_TYPES = ["rsa2048", "rsa3072", "ec256", "ec384"] as const;
export type AcmeKeyType = (typeof ACME_KEY_TYPES)[number];

const SECRET_ID = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

function directoryProblem(value: string): string | undefined {
  if (value in DIRECTORY_PRESETS) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected ${Object.keys(DIRECTORY_PRESETS).join(" or ")}, or the CA's directory URL (https://...)`;
  }
  if (url.protocol !== "https:") return "expected an https:// directory URL (RFC 8555 requires TLS)";
  if (url.username !== "" || url.password !== "")
    return "must not contain a user name or password; put EAB keys in the credentials secret";
  return undefined;
}

export const acmeSchema = z.strictObject({
  provider: z.literal("acme"),
  directory: z.string({ error: "expected letsencrypt, letsencrypt-staging or a directory URL" }).check(
    z.superRefine((value, ctx) => {
      const problem = directoryProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    }),
  ),
  /** store secret holding the account key (written on first use) and, for CAs that need it, eabKid + eabHmacKey */
  credentials: z.string({ error: "expected a store secret id like certrelay/acme" }).check(
    z.regex(SECRET_ID, {
      error: "expected a store secret id like certrelay/acme (letters, digits and / _ + = . @ -)",
    }),
  ),
  email: z.optional(z.email({ error: "expected an e-mail address for the CA's expiry and policy notices" })),
  /** the CA's terms of service, agreed on the user's behalf when the account is created */
  acceptTos: z._default(z.boolean({ error: "expected true or false" }), false),
  keyType: z._default(z.enum(ACME_KEY_TYPES, { error: `expected one of ${ACME_KEY_TYPES.join("|")}` }), "rsa2048"),
  /** an ACME profile the CA lists in its directory (e.g. Let's Encrypt's tlsserver or shortlived) */
  profile: z.optional(
    z
      .string({ error: "expected a profile name like tlsserver" })
      .check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, { error: "expected a profile name like tlsserver" })),
  ),
  dns: dnsProviderSchema,
});

export type AcmeConfig = z.output<typeof acmeSchema>;

export function directoryUrlOf(directory: string): string {
  return (DIRECTORY_PRESETS as Record<string, string>)[directory] ?? directory;
}

/**
 * What a user puts in the store secret of an ACME account: `eabKid` + `eabHmacKey`, for CAs that bind accounts
 * (External Account Binding); nothing for the others. certrelay itself writes `accountKey`, `accountUrl` and
 * `accountDirectory` there on first use.
 */
export const acmeCredentialsSchema = once(() =>
  z.object({
    eabKid: z.optional(z.string({ error: "expected the CA's EAB key id" })),
    eabHmacKey: z.optional(z.string({ error: "expected the CA's EAB HMAC key" })),
  }),
);
