/** `provider: enos` entries of certrelay.yml (a target and an issuer: the device certificate of one EnOS device). */
import * as z from "zod";
import { connection, upperEnum, once } from "../kit/config.js";

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
  });

export type EnosConfig = z.output<typeof enosSchema>;

/** The EnOS application's access key (`appKey`) and secret key (`appSecret`). */
export const enosCredentialsSchema = once(() =>
  z.object({
    appKey: z
      .string({ error: "expected the EnOS application's access key" })
      .min(1, { error: "expected the EnOS application's access key" }),
    appSecret: z
      .string({ error: "expected the EnOS application's secret key" })
      .min(1, { error: "expected the EnOS application's secret key" }),
  }),
);
