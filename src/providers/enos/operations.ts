/**
 * EnOS's additions to the entry points' operations: a device certificate is for the device's identity when no
 * common name is given; a user's own key picks the CA that signs it (RSA and ECC device certificates have
 * different CAs, setting issue-authority); a device holds its own key, so a deploy takes none.
 */
import { CertrelayError, ErrorCodes } from "../../errors.js";
import { textField } from "../../operations/fields.js";
import type { ProviderOperations } from "../kit/operations.js";

export const enosOperations: ProviderOperations = {
  defaultCommonName: (fields) => textField(fields, "deviceKey") ?? textField(fields, "assetId"),
  withKey(fields, key) {
    // A given key picks the CA; an explicit issue-authority that disagrees with the key is a mistake worth stopping for.
    const fromKey = key.keyType === "ecc" ? "ECC" : "RSA";
    const given = textField(fields, "issueAuthority")?.toUpperCase();
    if (given !== undefined && given !== fromKey) {
      throw new CertrelayError(
        ErrorCodes.INPUT_INVALID,
        `input 'issue-authority' is ${given} but input 'private-key' is an ${key.keyType === "ecc" ? "EC" : "RSA"} key: set issue-authority ${fromKey}, or pass an ${given === "ECC" ? "EC P-256" : "RSA"} key`,
        { field: "issue-authority", vendor: fields.provider },
      );
    }
    return { ...fields, issueAuthority: fromKey };
  },
  deployTakes: () => ({ privateKey: false }),
};
