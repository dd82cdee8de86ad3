/** `provider: yeastar` entries of certrelay.yml (a target; see definition.ts for why never an issuer). */
import * as z from "zod/mini";
import "../../zod-locale.js";
import { connection, once } from "../kit/config.js";

export const yeastarSchema = z.strictObject({
  provider: z.literal("yeastar"),
  ...connection,
  certificateType: z._default(z.enum(["server", "trusted"], { error: "expected server or trusted" }), "server"),
  /** delete older certificates with the same common name after a verified deploy (the PBX holds only 3 server certs) */
  pruneOld: z._default(z.boolean({ error: "expected true or false" }), false),
});

export type YeastarConfig = z.output<typeof yeastarSchema>;

/** Keys: `username` = the PBX API Client ID, `password` = its Client Secret. */
export const yeastarCredentialsSchema = once(() =>
  z.object({
    username: z
      .string({ error: "expected the PBX API Client ID" })
      .check(z.minLength(1, { error: "expected the PBX API Client ID" })),
    password: z
      .string({ error: "expected the PBX API Client Secret" })
      .check(z.minLength(1, { error: "expected the PBX API Client Secret" })),
  }),
);
