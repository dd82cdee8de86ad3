/** `provider: cdn` entries of certrelay.yml (a target: the SwiftFederation CDN's certificate list and edge). */
import * as z from "zod/mini";
import "../../zod-locale.js";
import { connection, hostnameSchema, vendorIdSchema, once } from "../kit/config.js";

export const cdnSchema = z
  .strictObject({
    provider: z.literal("cdn"),
    ...connection,
    /**
     * the host name the CDN serves this certificate for; verification connects with this SNI. Without it the
     * certificate is verified through the API (on the account's certificate list), the edge is not probed.
     */
    verifyHost: z.optional(hostnameSchema),
    verifyPort: z.optional(
      z.number({ error: "expected a port number" }).check(z.int(), z.minimum(1), z.maximum(65_535)),
    ),
    /** where to connect for verification when DNS does not point at the CDN yet (e.g. the sandbox edge 127.0.0.1:8443) */
    verifyAddress: z.optional(
      z.string({ error: "expected host:port like 127.0.0.1:8443" }).check(
        z.regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: "expected host:port like 127.0.0.1:8443" }),
        z.refine(
          (value) => {
            const port = Number(value.slice(value.lastIndexOf(":") + 1));
            return port >= 1 && port <= 65_535;
          },
          { error: "expected a port from 1 to 65535 after the colon" },
        ),
      ),
    ),
    serviceId: z.optional(vendorIdSchema),
  })
  .check(
    z.superRefine((value, ctx) => {
      if (value.verifyHost !== undefined) return;
      for (const field of ["verifyPort", "verifyAddress", "serviceId"] as const) {
        if (value[field] !== undefined)
          ctx.addIssue({ code: "custom", path: ["verifyHost"], message: `required when ${field} is set` });
      }
    }),
  );

export type CdnConfig = z.output<typeof cdnSchema>;

/** The SwiftFederation API access key pair. */
export const cdnCredentialsSchema = once(() =>
  z.object({
    accessKeyId: z
      .string({ error: "expected the SwiftFederation access key id" })
      .check(z.minLength(1, { error: "expected the SwiftFederation access key id" })),
    accessKeySecret: z
      .string({ error: "expected the SwiftFederation access key secret" })
      .check(z.minLength(1, { error: "expected the SwiftFederation access key secret" })),
  }),
);
