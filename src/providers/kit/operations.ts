/**
 * What a vendor adds to the entry points' operations (the Action's and the CLI's deploy/apply/check) beyond its
 * Target and Issuer: hooks the generic operations call by name, so they never ask which vendor they hold. Every
 * hook is optional; a vendor without any runs the generic deploy, apply and check unchanged.
 *
 * Imports here are types only: a vendor folder implements these without importing the operations at run time,
 * which keeps the list of providers free of import cycles.
 */
import type { IssuerConfig } from "../../config/index.js";
import type { IssueOutcome, IssueRequest, KeyType } from "../../model.js";
import type { OperationRequest, VendorFields } from "../../operations/request.js";
import type { OperationDeps, OperationResult } from "../../operations/types.js";
import type { Store } from "../../store/index.js";
import type { ProviderContext } from "../context.js";

/** What the generic apply has already worked out when it hands an apply over to the vendor. */
export interface ApplyKit {
  /** the name the certificate is for (input common-name, or the vendor's default) */
  commonName: string;
  /** the credentials from the inputs; throws the InputError naming a missing one (called when the vendor needs them) */
  credentials(): Record<string, string>;
}

/** A user's own private key, as the apply read it (RSA, or EC on P-256/P-384). */
export interface GivenKey {
  keyType: KeyType;
  curve?: string;
}

/** An issuer built from more than config fields (ACME: the Action's inputs stand in for its account store). */
export interface ActionIssuer {
  config: IssuerConfig;
  credentials: Record<string, string>;
  store?: Store;
}

/** A secret the vendor made during the run that the user must keep (a new ACME account's key). */
export interface SecretOutput {
  /** the Action output that carries it (declared in action.yml) */
  output: string;
  value: string;
  /** what to do with it, shown as a warning */
  notice: string;
  /** the warning's title */
  title: string;
}

export interface ProviderOperations {
  /**
   * The whole apply, for a vendor that obtains its certificate itself (a PBX keeps its own key): no key, CSR or
   * issuer of certrelay's is involved.
   */
  apply?(request: OperationRequest, deps: OperationDeps, kit: ApplyKit): Promise<OperationResult>;
  /** the name a certificate is for when input common-name is not given (the identity a device certificate is bound to) */
  defaultCommonName?(fields: VendorFields): string | undefined;
  /** settings a user-given private key decides (a key's type picks the CA that signs it); throws when they disagree */
  withKey?(fields: VendorFields, key: GivenKey): VendorFields;
  /** the issuer of an Action apply when its settings are more than config fields; InputErrors name the input */
  actionIssuer?(fields: VendorFields, deps: OperationDeps): ActionIssuer;
  /** the issuer's errors restated by the input a workflow author changes (same code, same cause) */
  inActionTerms?(error: unknown): unknown;
  /** reissue an existing order (new key, same order) instead of renewing it */
  reissue?: {
    /** the user asked for a reissue rather than a renewal */
    wanted(fields: VendorFields): boolean;
    /** before any request: what a reissue needs from the inputs */
    check(request: OperationRequest): void;
    run(
      config: IssuerConfig,
      credentials: Record<string, string>,
      ctx: ProviderContext,
      request: IssueRequest,
    ): Promise<IssueOutcome>;
  };
  /** what a deploy hands over: without a key (the device or PBX holds it), or a CA certificate rather than a leaf */
  deployTakes?(fields: VendorFields): { privateKey: boolean; ca?: boolean };
  /** the outputs `SecretOutput`s of this vendor use (action.yml declares them) */
  secretOutputs?: readonly string[];
}
