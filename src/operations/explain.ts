/**
 * What an entry point tells the user when something fails: a stable code, the real error class, and a message
 * that names what *this* user can change. The vendor layers speak in their own terms (a credential key, "the ca
 * option"); a workflow author can only change inputs, a CLI user flags and store secrets, so the hint is added
 * here, where the entry point is known. Never adds a value, only names.
 */
import { CREDENTIAL_FIELDS, credentialsSecretHint } from "../config/harden.js";
import { CertrelayError, type ErrorCode, ErrorCodes, isAuthError } from "../errors.js";
import { credentialInputs, definitionOf, type ProviderList } from "./request.js";

export type EntryPoint = "action" | "cli";

export interface Explained {
  /** stable code (`INTERNAL` for a bug or an unknown failure) */
  code: ErrorCode | "INTERNAL";
  /** the error class name (`AuthError`, `VendorError`, ...) */
  name: string;
  /** one line, safe to print */
  message: string;
  field?: string;
  vendor?: string;
}

/** A TLS handshake refused the endpoint's certificate: the fix is to trust its CA. */
export function isTlsTrustFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = "code" in e && typeof e.code === "string" ? e.code : "";
    if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|TLS|SSL/.test(code) && !/ALTNAME/.test(code)) return true;
    if (/\bTLS failed\b|self[- ]signed certificate|unable to (get|verify) .*(issuer|certificate)/i.test(e.message))
      return true;
  }
  return false;
}

function credentialHint(
  provider: string | undefined,
  entry: EntryPoint,
  providers: ProviderList | undefined,
): string | undefined {
  const inputs = provider ? credentialInputs(provider, providers) : undefined;
  if (!inputs || inputs.length === 0) return undefined;
  if (entry === "action") return `check inputs ${inputs.map(([, input]) => `'${input}'`).join(" and ")}`;
  return `check the fields ${inputs.map(([key]) => `'${key}'`).join(" and ")} of the credentials secret`;
}

/**
 * Config runs (CLI over certrelay.yml, the Lambda): a refused login names the credentials secret(s) that vendor's
 * entries of `cert` read and the fields that secret must hold. Names only, never a value.
 */
export function withCredentialsSecretHint(
  error: CertrelayError,
  cert: {
    issuer?: { provider: string; credentials: string } | undefined;
    targets: readonly { provider: string; credentials: string }[];
  },
): string {
  const all = [...(cert.issuer ? [cert.issuer] : []), ...cert.targets];
  // a credentials secret that is missing or malformed: say which fields its provider reads (the store cannot know)
  if (error.code === ErrorCodes.STORE_NOT_FOUND || error.code === ErrorCodes.STORE_ERROR) {
    const users = all.filter((e) => e.credentials === error.field);
    const hints = [...new Set(users.map((e) => e.provider))].flatMap((provider) => {
      const hint = credentialsSecretHint(provider);
      return hint === undefined ? [] : [hint];
    });
    return hints.length === 0 ? error.message : `${error.message} (${hints.join("; ")})`;
  }
  if (!isAuthError(error) || error.code !== ErrorCodes.AUTH_FAILED || error.vendor === undefined) return error.message;
  const entries = all.filter((e) => e.provider === error.vendor);
  const secrets = [...new Set(entries.map((e) => e.credentials))];
  const fields = CREDENTIAL_FIELDS[error.vendor];
  if (secrets.length === 0 || !fields) return error.message;
  const hint = `check the fields ${fields.map((f) => `'${f}'`).join(" and ")} of the credentials secret ${secrets.map((s) => `'${s}'`).join(" or ")}`;
  return error.message.includes(hint) ? error.message : `${error.message} (${hint})`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ");
}

/** `providers`: where the provider's credential inputs are looked up (default the built-in list). */
export function explainFailure(
  error: unknown,
  options: { entry: EntryPoint; provider?: string; providers?: ProviderList },
): Explained {
  if (!(error instanceof CertrelayError)) {
    const message = error instanceof Error ? error.message : String(error);
    const name = error instanceof Error ? error.name : "Error";
    if (isTlsTrustFailure(error))
      return { code: ErrorCodes.NETWORK_ERROR, name, message: oneLine(`${message}; ${trustHint(options.entry)}`) };
    return { code: "INTERNAL", name, message: oneLine(message) };
  }
  const vendor = error.vendor ?? options.provider;
  let message = error.message;
  if (isAuthError(error) && error.code === ErrorCodes.AUTH_FAILED) {
    const hint = credentialHint(vendor, options.entry, options.providers);
    if (hint && !message.includes(hint)) message = `${message} (${hint})`;
  } else if (error.code === ErrorCodes.NETWORK_ERROR && isTlsTrustFailure(error)) {
    message = `${message.replace(/; fix its chain, or pass its CA as the ca option$/, "")}; ${trustHint(options.entry)}`;
  }
  const field = error.field === undefined ? undefined : fieldFor(error.field, vendor, options.entry, options.providers);
  return {
    code: error.code,
    name: error.name,
    message: oneLine(message),
    ...(field === undefined ? {} : { field }),
    ...(vendor === undefined ? {} : { vendor }),
  };
}

/**
 * `field` as this user types it. Vendors name their own settings and credentials by config key (`validDays`,
 * `appSecret`); a workflow author sets those through the Action input the vendor's definition maps each to.
 */
function fieldFor(field: string, vendor: string | undefined, entry: EntryPoint, providers?: ProviderList): string {
  if (entry !== "action" || vendor === undefined) return field;
  return definitionOf(vendor, providers)?.inputs[field]?.input ?? field;
}

function trustHint(entry: EntryPoint): string {
  return entry === "action"
    ? "if the endpoint uses a private CA, set ca-certificate to that CA's PEM (else fix the endpoint's certificate chain)"
    : "if the endpoint uses a private CA, pass --ca-file with that CA's PEM (else fix the endpoint's certificate chain)";
}
