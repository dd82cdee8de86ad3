import type { IssuerConfig } from "../config/index.js";
import { ErrorCodes, InputError } from "../errors.js";
import type { IssueOutcome, IssueRequest } from "../model.js";
import type { ProviderContext } from "../providers/context.js";
import { reissueCertificate } from "../providers/reseller/index.js";
import { RENEWAL_KIND_INPUT } from "./request.js";

/** Reissue (same order, new key) rather than renew: for a compromised key or changed names, at no new cost. */
export async function reissueOrder(config: IssuerConfig, credentials: Record<string, string>, ctx: ProviderContext, request: IssueRequest): Promise<IssueOutcome> {
  if (config.provider !== "reseller") {
    throw new InputError(ErrorCodes.INPUT_INVALID, `Invalid input '${RENEWAL_KIND_INPUT}': reissue applies to provider reseller only`, { field: RENEWAL_KIND_INPUT });
  }
  return reissueCertificate(config, credentials, request, ctx);
}
