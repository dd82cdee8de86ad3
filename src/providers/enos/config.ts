/** `provider: enos` entries of certrelay.yml (a target and an issuer: the device certificate of one EnOS device). */
import * as z from "zod/mini";
import "../../zod-locale.js";
import { connection, upperEnum, once } from "../kit/config.js";

export const enosSchema = z
  .strictObject({
    provider: z.literal("enos"),
    ...connection,
    orgId: z.string({ error: "expected the EnOS organisation id" }).check(z.minLength(1)),
    assetId: z.optional(z.string().check(z.minLength(1))),
    productKey: z.optional(z.string().check(z.minLength(1))),
    deviceKey: z.optional(z.string().check(z.minLength(1))),
    validDays: z.optional(
      z.number({ error: "expected a whole number of days" }).check(z.int(), z.minimum(1), z.maximum(36_500)),
    ),
    // The EnOS API accepts the value in any case (spec: "It is not case-sensitive").
    issueAuthority: z.optional(upperEnum(["RSA", "ECC"] as const)),
  })
  .check(
    z.superRefine((value, ctx) => {
      const byAsset = value.assetId !== undefined;
      const byDevice = value.productKey !== undefined || value.deviceKey !== undefined;
      if (byAsset && byDevice) {
        ctx.addIssue({
          code: "custom",
          path: ["assetId"],
          message: "give either assetId or productKey+deviceKey, not both",
        });
      } else if (!byAsset && !byDevice) {
        ctx.addIssue({
          code: "custom",
          path: ["assetId"],
          message: "identify the device with assetId or productKey+deviceKey",
        });
      } else if (byDevice && (value.productKey === undefined || value.deviceKey === undefined)) {
        const missing = value.productKey === undefined ? "productKey" : "deviceKey";
        ctx.addIssue({
          code: "custom",
          path: [missing],
          message: "productKey and deviceKey go together; add the missing one",
        });
      }
    }),
  );

export type EnosConfig = z.output<typeof enosSchema>;

/** The EnOS application's access key (`appKey`) and secret key (`appSecret`). */
export const enosCredentialsSchema = once(() =>
  z.object({
    appKey: z
      .string({ error: "expected the EnOS application's access key" })
      .check(z.minLength(1, { error: "expected the EnOS application's access key" })),
    appSecret: z
      .string({ error: "expected the EnOS application's secret key" })
      .check(z.minLength(1, { error: "expected the EnOS application's secret key" })),
  }),
);
