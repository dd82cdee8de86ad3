/** The reseller's addition to the entry points' apply: reissue an order (same order, new key) instead of renewing it. */
import { CertrelayError, ErrorCodes } from "../../errors.js";
import { textField } from "../../operations/fields.js";
import type { ProviderOperations } from "../kit/operations.js";
import { reissueCertificate } from "./index.js";

export const resellerOperations: ProviderOperations = {
  reissue: {
    wanted: (fields) => textField(fields, "renewalKind") === "reissue",
    check(request) {
      if (!textField(request.vendor, "certificateId")) {
        throw new CertrelayError(
          ErrorCodes.INPUT_MISSING,
          "input 'certificate-id' is required with reseller-action reissue: the certificate to reissue",
          { field: "certificate-id" },
        );
      }
    },
    // for a compromised key or changed names, at no new cost
    run(config, credentials, ctx, request) {
      if (config.provider !== "reseller")
        throw new Error(`certrelay bug: a reseller reissue with a ${config.provider} issuer`);
      return reissueCertificate(config, credentials, request, ctx);
    },
  },
};
