/** Operations the entry points run: one request in, one result out, no vendor names needed by the caller. */
export { deployBundle, deployTakes, BUNDLE_FIELDS } from "./deploy-bundle.js";
export { applyCertificate } from "./apply.js";
export { checkCertificate } from "./check.js";
export { runConfigFile, type ConfigRunRequest } from "./run-config.js";
export {
  operations,
  credentialsFor,
  credentialInputs,
  targetConfigFor,
  issuerConfigFor,
  definitionOf,
  operationsOf,
  operationsReading,
  inputKindOf,
  vendorInputs,
  secretInputs,
  secretOutputs,
  publicParametersOf,
  SECRET_INPUTS,
  SECRET_OUTPUTS,
  VENDOR_INPUTS,
  type Operation,
  type OperationRequest,
  type ProviderList,
  type BundleFields,
  type ApplyFields,
} from "./request.js";
export {
  textField,
  numberField,
  flagField,
  objectField,
  type VendorFields,
  type FieldValue,
  type DnsCredentialValue,
} from "./fields.js";
export { explainFailure, isTlsTrustFailure, type Explained, type EntryPoint } from "./explain.js";
export {
  providerContext,
  type OperationDeps,
  type OperationResult,
  type OperationStatus,
  type CertificateRow,
} from "./types.js";

import { applyCertificate } from "./apply.js";
import { checkCertificate } from "./check.js";
import { deployBundle } from "./deploy-bundle.js";
import type { OperationRequest } from "./request.js";
import type { OperationDeps, OperationResult } from "./types.js";

export function runOperation(request: OperationRequest, deps: OperationDeps): Promise<OperationResult> {
  switch (request.operation) {
    case "deploy":
      return deployBundle(request, deps);
    case "apply":
      return applyCertificate(request, deps);
    case "check":
      return checkCertificate(request, deps);
  }
}
