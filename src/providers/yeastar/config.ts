/** `provider: yeastar` entries of certrelay.yml (a target; see definition.ts for why never an issuer). */
import * as z from "zod";
import { connection, once } from "../kit/config.js";

export const yeastarSchema = z.strictObject({
  provider: z.literal("yeastar"),
  ...connection,
  certificateType: z.enum(["server", "trusted"], { error: "expected server or trusted" }).default("server"),
  /** delete older certificates with the same common name after a verified deploy (the PBX holds only 3 server certs) */
  pruneOld: z.boolean({ error: "expected true or false" }).default(false),
});

export type YeastarConfig = z.output<typeof yeastarSchema>;

/** Keys: `username` = the PBX API Client ID, `password` = its Client Secret. */
export const yeastarCredentialsSchema = once(() =>
  z.object({
    username: z.string({ error: "expected the PBX API Client ID" }).min(1, { error: "expected the PBX API Client ID" }),
    password: z
      .string({ error: "expected the PBX API Client Secret" })
      .min(1, { error: "expected the PBX API Client Secret" }),
  }),
);
