/**
 * Secret scrubbing for every text the HTTP client produces (error messages, retry reasons, parsed error bodies).
 * Pattern-based rules catch the secrets we know the shape of; `secrets` catches the ones we only know the value of.
 */

export const REDACTED = "[REDACTED]";

/** Shorter values would shred ordinary text (a one-letter "secret" matches everywhere); such values are not secrets. */
const MIN_SECRET_LENGTH = 4;

const PRIVATE_KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
/** `scheme://user:password@host` */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]*@/gi;
/** Query or form parameters whose name says they carry a credential: access_token, api_key, client_secret, ... */
const SECRET_PARAM =
  /((?:^|[?&;\s,"'{(])[\w.-]*(?:token|key|secret|signature|password|passwd)[\w.-]*=)[^&\s#"',;})]+/gi;
/** Header lines and header-like JSON fields: `Authorization: Bearer x`, `"apim-accesstoken":"x"`, `X-SFD-Nonce: 1`. */
const SECRET_HEADER =
  /((?:proxy-)?authorization|apim-accesstoken|apim-signature|x-sfd-[\w-]+|set-cookie|cookie)("?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\r\n,;}]+)/gi;
/** JSON fields whose name says they carry a credential. */
const SECRET_JSON_FIELD =
  /("[\w-]*(?:token|secret|password|passwd|signature|private_?key)[\w-]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
/** Credentials after an auth scheme, wherever they appear. */
const AUTH_SCHEME = /\b(Bearer|Basic|Digest|HMAC-SHA256)\s+[A-Za-z0-9._~+/=:-]+/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Every registered secret in the forms it can take in text we produce: as is, URL-encoded, form-encoded. */
function secretForms(secrets: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
  }
  // Longest first, so a secret that contains another is removed whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Remove secrets from `text`: PEM private key blocks, URL user-info, credential-named query parameters
 * (access_token, token, key, secret, signature, password, ...), Authorization / apim-accesstoken /
 * apim-signature / x-sfd-* / cookie headers, auth-scheme credentials, and every value in `secrets`.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text.replace(PRIVATE_KEY_BLOCK, "[REDACTED PRIVATE KEY]");
  for (const form of secretForms(secrets)) {
    out = out.replace(new RegExp(escapeRegExp(form), "g"), REDACTED);
  }
  return out
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(
      SECRET_HEADER,
      (_m, name: string, sep: string, value: string) =>
        `${name}${sep}${value.startsWith('"') ? `"${REDACTED}"` : REDACTED}`,
    )
    .replace(SECRET_JSON_FIELD, `$1"${REDACTED}"`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(SECRET_PARAM, `$1${REDACTED}`);
}

/** Redact every string inside a parsed body (JSON value), keys included, and drop credential-named fields' values. */
export function redactValue(value: unknown, secrets: Iterable<string>): unknown {
  const list = [...secrets];
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return redact(v, list);
    if (depth > 32 || v === null || typeof v !== "object") return v;
    if (v instanceof Uint8Array) return v;
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
      const credentialNamed = /token|secret|password|passwd|signature|private_?key|authorization|cookie/i.test(key);
      out[redact(key, list)] =
        credentialNamed && item !== null && item !== undefined ? REDACTED : walk(item, depth + 1);
    }
    return out;
  };
  return walk(value, 0);
}
