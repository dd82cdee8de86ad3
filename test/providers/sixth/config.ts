/**
 * `provider: vault` entries of a certrelay.yml: a made-up sixth vendor (an in-memory PKI "vault" with mounts) that
 * exists only in the tests, to prove a vendor is one folder plus one line in the list (docs/adding-a-vendor.md).
 */
import * as z from "zod/mini";
import "../../../src/zod-locale.js";
import { once, secretIdSchema } from "../../../src/providers/kit/config.js";

const MOUNT = /^[a-z][a-z0-9-]{0,31}$/;

export const vaultSchema = z.strictObject({
  provider: z.literal("vault"),
  credentials: secretIdSchema,
  /** which in-memory vault (its mount name) holds or signs the certificate */
  mount: z
    .string({ error: "expected a mount name like pki-web" })
    .check(z.regex(MOUNT, { error: "expected a mount name like pki-web (a-z 0-9 -)" })),
  /** validity of what it signs */
  ttlDays: z._default(
    z.number({ error: "expected a whole number of days" }).check(z.int(), z.minimum(1), z.maximum(397)),
    90,
  ),
});

export type VaultConfig = z.output<typeof vaultSchema>;

/** An AppRole login: role id and secret id. */
export const vaultCredentialsSchema = once(() =>
  z.object({
    roleId: z
      .string({ error: "expected the AppRole role id" })
      .check(z.minLength(1, { error: "expected the AppRole role id" })),
    secretId: z
      .string({ error: "expected the AppRole secret id" })
      .check(z.minLength(1, { error: "expected the AppRole secret id" })),
  }),
);
