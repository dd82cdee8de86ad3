/** `provider: reseller` entries of certrelay.yml (an issuer: buys, renews or reissues through the reseller API). */
import * as z from "zod/mini";
import "../../zod-locale.js";
import { connection, upperEnum, vendorIdSchema, once } from "../kit/config.js";

export const resellerSchema = z
  .strictObject({
    provider: z.literal("reseller"),
    ...connection,
    certificateId: z.optional(vendorIdSchema),
    plan: z.optional(z.guid({ error: "expected a plan UUID like 3f7830c3-3fa4-404d-908f-35daaa1cd17b" })),
    dcvType: upperEnum(["EMAIL", "FILE", "DNS"] as const),
    approverEmail: z.optional(z.email({ error: "expected an e-mail address" })),
  })
  .check(
    z.superRefine((value, ctx) => {
      // Reseller spec: approver_email_address is required for EMAIL domain control validation.
      if (value.dcvType === "EMAIL" && value.approverEmail === undefined) {
        ctx.addIssue({ code: "custom", path: ["approverEmail"], message: "required when dcvType is EMAIL" });
      }
    }),
  );

export type ResellerConfig = z.output<typeof resellerSchema>;

/** The reseller API's user name and API key (HTTP basic auth). */
export const resellerCredentialsSchema = once(() =>
  z.object({
    username: z
      .string({ error: "expected the reseller API user name" })
      .check(z.minLength(1, { error: "expected the reseller API user name" })),
    apiKey: z
      .string({ error: "expected the reseller API key" })
      .check(z.minLength(1, { error: "expected the reseller API key" })),
  }),
);
