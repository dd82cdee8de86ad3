import { readFile } from "node:fs/promises";
import type { Document, LineCounter } from "yaml";
import type * as z from "zod/mini";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { builtInCatalog, type ProviderCatalog } from "../providers/catalog.js";
import { isInsecureEndpoint, LIMITS, looksLikePastedSecret, portProblem, shapeProblem } from "./harden.js";
import type { CertrelayConfig } from "./schema.js";
import { loadYaml, type YamlModule } from "./yaml.js";

type Path = readonly (string | number)[];

/** One thing wrong with the config, by the dotted path a user can find in their file. */
export interface ConfigProblem {
  path: string;
  message: string;
  /** 1-based line in the source, when it could be located */
  line?: number;
  /** 1-based column, for YAML syntax errors */
  column?: number;
}

/** Every problem in a config file at once, so a user fixes them in one pass. */
export class ConfigError extends CertrelayError {
  readonly problems: readonly ConfigProblem[];
  readonly source: string;

  /** `usage`: the file is what a CLI user passed with --config (see CertrelayErrorOptions.usage) */
  constructor(source: string, problems: ConfigProblem[], options: { usage?: boolean } = {}) {
    super(ErrorCodes.CONFIG_INVALID, formatProblems(source, problems), {
      field: problems[0]?.path ?? source,
      usage: options.usage === true,
    });
    this.name = "ConfigError";
    this.problems = problems;
    this.source = source;
  }
}

function formatProblems(source: string, problems: ConfigProblem[]): string {
  const lines = problems.map((p) => {
    const where =
      p.line === undefined ? "" : ` (line ${p.line}${p.column === undefined ? "" : `, column ${p.column}`})`;
    return `${p.path === "" ? "" : `${p.path}: `}${p.message}${where}`;
  });
  if (lines.length === 1) return `${source}: ${lines[0]}`;
  return `${source} has ${lines.length} problems:\n${lines.map((l) => `  - ${l}`).join("\n")}`;
}

/** `certificates[0].targets[1].endpoint` */
export function formatPath(path: Path): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/**
 * Keys that only ever hold a secret. Compared without case, `-` or `_`, so `api_key`, `apiKey` and `API-KEY` match.
 * (`secret` itself is not here: at certificate level it is the store secret id.)
 */
const SECRET_KEYS = new Set([
  "password",
  "passwd",
  "passphrase",
  "apikey",
  "apisecret",
  "appsecret",
  "clientsecret",
  "secretkey",
  "secretaccesskey",
  "accesskeysecret",
  "privatekey",
  "token",
  "accesstoken",
  "refreshtoken",
  "hmackey",
]);

const INLINE_SECRET_HINT = "keep secrets in the store and name them here with `credentials: <secret id>`";

/** Find pasted secrets before schema validation, so the message says "move it to the store", not "unknown field". */
function findInlineSecrets(
  value: unknown,
  path: (string | number)[],
  found: FoundProblem[],
  catalog: ProviderCatalog,
): void {
  if (typeof value === "string") {
    if (value.includes("-----BEGIN")) {
      found.push({
        path,
        message: `contains PEM material; keep keys and certificates in the store (secret: <secret id>), not in the config`,
      });
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => findInlineSecrets(item, [...path, index], found, catalog));
    return;
  }
  if (typeof value !== "object" || value === null) return;
  // the provider's own credential field names, so the hint says exactly what goes into the store secret
  const provider =
    typeof (value as { provider?: unknown }).provider === "string"
      ? (value as { provider: string }).provider
      : undefined;
  const fields = provider ? catalog.credentialFields(provider) : undefined;
  const storeHint = fields ? ` (the ${provider} credentials secret holds ${fields.join(" and ")})` : "";
  const secretFields = provider ? catalog.secretFields(provider) : [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    // the generic names, and the fields the vendor's definition marks secret (its own names, e.g. eabHmacKey)
    if (SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, "")) || secretFields.includes(key)) {
      found.push({ path: childPath, message: `looks like an inline secret; ${INLINE_SECRET_HINT}${storeHint}` });
      continue;
    }
    if (key === "credentials" && child !== null && typeof child === "object") {
      found.push({
        path: childPath,
        message: `must be a store secret id like certrelay/${provider ?? "reseller"}, not inline credentials; ${INLINE_SECRET_HINT}${storeHint}`,
      });
      continue;
    }
    findInlineSecrets(child, childPath, found, catalog);
  }
}

function valueAt(raw: unknown, path: Path): unknown {
  let node = raw;
  for (const segment of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

interface FoundProblem {
  path: Path;
  /** what to print instead of path, when path itself holds something that must not be echoed */
  shownPath?: Path;
  message: string;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, catalog: ProviderCatalog): FoundProblem[] {
  const path = issue.path.map((s) => (typeof s === "symbol" ? String(s) : s));
  // zod 4 does not put the input into issues (good: it may be a secret), so "missing" is read from the raw tree.
  const missing = valueAt(raw, path) === undefined;
  const required = (message: string): string => (missing ? `required; ${message}` : message);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) =>
        // A key can be a pasted secret too (a `key: value` line pasted whole): its line is enough to find it.
        looksLikePastedSecret(key)
          ? {
              path: [...path, key],
              shownPath: [...path, "(a key that looks like a secret, not shown)"],
              message:
                "unknown field that looks like pasted secret material; remove it from the file (and rotate that secret)",
            }
          : { path: [...path, key], message: "unknown field; check the spelling" },
      );
    case "invalid_union": {
      // a nested union (the acme issuer's `dns`) keeps its own message naming its own choices
      if (issue.discriminator !== undefined && !path.includes("dns")) {
        const inTargets = path.includes("targets");
        const allowed = inTargets ? catalog.targetProviders : catalog.issuerProviders;
        const role = inTargets ? "target" : "issuer";
        return [{ path, message: required(`expected ${role} provider ${allowed.join("|")}`) }];
      }
      return [{ path, message: issue.message }];
    }
    case "invalid_type": {
      // Our schemas give their own messages; zod's default one ("Invalid input: …") is replaced by the plain type.
      const message = issue.message.startsWith("Invalid input") ? `expected ${issue.expected}` : issue.message;
      return [{ path, message: required(message) }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

function lineOf(doc: Document, lineCounter: LineCounter, path: Path, isNode: YamlModule["isNode"]): number | undefined {
  // A missing field has no node: point at the closest ancestor that exists.
  for (let length = path.length; length >= 0; length--) {
    const node = doc.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      return lineCounter.linePos(node.range[0]).line;
    }
  }
  return undefined;
}

function duplicateProblems(raw: unknown): FoundProblem[] {
  if (typeof raw !== "object" || raw === null || !("certificates" in raw)) return [];
  const certificates = (raw as { certificates: unknown }).certificates;
  if (!Array.isArray(certificates)) return [];
  const problems: FoundProblem[] = [];
  const seen = new Map<string, Map<string, number>>([
    ["name", new Map()],
    ["secret", new Map()],
  ]);
  certificates.forEach((certificate: unknown, index) => {
    if (typeof certificate !== "object" || certificate === null) return;
    for (const [field, firstSeen] of seen) {
      const value = (certificate as Record<string, unknown>)[field];
      if (typeof value !== "string") continue;
      const first = firstSeen.get(value);
      if (first === undefined) {
        firstSeen.set(value, index);
        continue;
      }
      // Two certificates on one secret would overwrite each other's pending renewal.
      problems.push({
        path: ["certificates", index, field],
        message: `duplicate ${field} '${value}'; already used by certificates[${first}]`,
      });
    }
  });
  return problems;
}

/**
 * What the schema cannot see: ids that are really pasted secrets, a certificate's secret shared with a vendor's
 * credentials, plain http to another machine, ports no socket can have.
 */
function hardeningProblems(raw: unknown, catalog: ProviderCatalog): FoundProblem[] {
  const problems: FoundProblem[] = [];
  const credentialIds = new Map<string, Path>();
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, [...path, index]));
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const node = value as Record<string, unknown>;
    const provider = typeof node.provider === "string" ? node.provider : undefined;
    if (typeof node.credentials === "string") {
      if (looksLikePastedSecret(node.credentials)) {
        const fields = provider ? catalog.credentialFields(provider) : undefined;
        const what = fields ? `the ${provider} credentials (${fields.join(", ")})` : "the credentials";
        problems.push({
          path: [...path, "credentials"],
          message: `looks like a pasted secret, not a store secret id (the value is not shown): put ${what} in a store secret and name that secret here, e.g. credentials: certrelay/${provider ?? "vendor"}; then rotate the pasted secret`,
        });
      } else if (!credentialIds.has(node.credentials)) {
        credentialIds.set(node.credentials, [...path, "credentials"]);
      }
    }
    if (typeof node.endpoint === "string") {
      const port = portProblem(node.endpoint);
      if (port) problems.push({ path: [...path, "endpoint"], message: port });
      else if (isInsecureEndpoint(node.endpoint) && node.allowInsecure !== true) {
        problems.push({
          path: [...path, "endpoint"],
          message:
            "uses http:// to another machine, so credentials and keys would cross the network unencrypted: use https://, or set allowInsecure: true on this entry if the network is trusted",
        });
      }
    }
    if (typeof node.verifyAddress === "string") {
      const port = portProblem(node.verifyAddress);
      if (port) problems.push({ path: [...path, "verifyAddress"], message: port });
    }
    for (const [key, child] of Object.entries(node))
      if (typeof child === "object" && child !== null) walk(child, [...path, key]);
  };
  walk(raw, []);

  const certificates =
    typeof raw === "object" && raw !== null ? (raw as { certificates?: unknown }).certificates : undefined;
  if (Array.isArray(certificates)) {
    certificates.forEach((certificate: unknown, index) => {
      const secret =
        typeof certificate === "object" && certificate !== null
          ? (certificate as { secret?: unknown }).secret
          : undefined;
      if (typeof secret !== "string") return;
      if (looksLikePastedSecret(secret)) {
        problems.push({
          path: ["certificates", index, "secret"],
          message:
            "looks like pasted secret material, not a store secret id (the value is not shown): name the store secret that holds this certificate, e.g. secret: certrelay/certs/www",
        });
        return;
      }
      const shared = credentialIds.get(secret);
      if (shared) {
        // A certificate's secret is rewritten on every renewal (key, pending state): it would clobber the credentials.
        problems.push({
          path: ["certificates", index, "secret"],
          message: `is the same store secret as ${formatPath(shared)}; a certificate's secret holds its key and renewal state and is rewritten on renewal, so give it its own id`,
        });
      }
    });
  }
  return problems;
}

/** Whether path or one of its ancestors already has a problem (a set lookup per level: linear overall). */
function underReported(reported: ReadonlySet<string>, path: Path): boolean {
  for (let length = path.length; length >= 0; length--)
    if (reported.has(formatPath(path.slice(0, length)))) return true;
  return false;
}

/**
 * Parse and validate `certrelay.yml` text. Throws ConfigError (code CONFIG_INVALID) listing every problem, each by
 * path; YAML syntax errors are reported by line and column. Messages never contain values from the file.
 * `catalog`: the vendors entries may name (default: the built-in ones). Async because yaml is loaded on first use
 * (src/config/yaml.ts): a bundle's start does not parse it unless the run reads a config.
 */
export async function parseConfig(
  text: string,
  source = "certrelay.yml",
  catalog: ProviderCatalog = builtInCatalog(),
): Promise<CertrelayConfig> {
  if (text.length > LIMITS.bytes) {
    throw new ConfigError(source, [
      {
        path: "",
        message: `is larger than ${LIMITS.bytes / 1024 / 1024} MiB; split the fleet into several config files`,
      },
    ]);
  }
  const yaml = await loadYaml();
  const { LineCounter, parseDocument } = yaml;
  if (text.length >= ITEMWISE_MIN_CHARS) {
    let valid: CertrelayConfig | undefined;
    try {
      valid = parseItemwise(text, catalog, parseDocument);
    } catch {
      // anything odd (say nesting deep enough to exhaust the stack) is left to the whole-file read, which reports it
      valid = undefined;
    }
    if (valid !== undefined) return valid;
  }
  const lineCounter = new LineCounter();
  // uniqueKeys is checked by shapeProblem in linear time (yaml's own check is quadratic in a mapping's size)
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((error) => {
        const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
        // yaml's own message may quote the offending source line (possibly a secret); keep only its first clause.
        const reason = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
        return { path: "", message: `YAML syntax error: ${reason}`, line: at.line, column: at.col };
      }),
    );
  }
  const shape = shapeProblem(doc, lineCounter, yaml);
  if (shape)
    throw new ConfigError(source, [
      { path: "", message: shape.message, ...(shape.line === undefined ? {} : { line: shape.line }) },
    ]);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: -1 }); // bounded by shapeProblem above, which also gives the line
  } catch {
    throw new ConfigError(source, [{ path: "", message: "YAML could not be read (too many or broken aliases)" }]);
  }
  if (raw === null || raw === undefined) {
    throw new ConfigError(source, [{ path: "", message: "is empty; it needs at least a `certificates:` list" }]);
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(source, [{ path: "", message: "expected a mapping with `certificates:` at the top level" }]);
  }

  const inlineSecrets: FoundProblem[] = [];
  findInlineSecrets(raw, [], inlineSecrets, catalog);
  // PEM is already reported by findInlineSecrets; the rest explain better than the schema's generic message
  const reported = new Set(inlineSecrets.map((i) => formatPath(i.path)));
  for (const h of hardeningProblems(raw, catalog)) if (!underReported(reported, h.path)) inlineSecrets.push(h);
  for (const h of inlineSecrets) reported.add(formatPath(h.path));
  const problems: FoundProblem[] = [...inlineSecrets];
  // a duplicate's message quotes its value: one already reported as pasted secret material must not be repeated
  for (const d of duplicateProblems(raw)) if (!underReported(reported, d.path)) problems.push(d);
  const parsed = catalog.configSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      for (const problem of describeIssue(issue, raw, catalog)) {
        // An inline secret is already reported with a better message than "unknown field".
        if (underReported(reported, problem.path)) continue;
        problems.push(problem);
      }
    }
  }
  if (problems.length > 0 || !parsed.success) {
    const seen = new Set<string>();
    const unique = problems.filter((p) => {
      const key = `${formatPath(p.path)}\u0000${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    // Lines are looked up for the problems shown only, once each: a file with a huge number of problems (say
    // 100,000 unknown keys in one mapping) costs linear time, not a lookup per comparison.
    const shown = unique
      .slice(0, LIMITS.problems)
      .map((p) => ({ p, line: lineOf(doc, lineCounter, p.path, yaml.isNode) }));
    shown.sort((a, b) => compareLines(a.line, b.line));
    const listed: ConfigProblem[] = shown.map(({ p, line }) => ({
      path: formatPath(p.shownPath ?? p.path),
      message: p.message,
      ...(line === undefined ? {} : { line }),
    }));
    if (unique.length > shown.length)
      listed.push({ path: "", message: `and ${unique.length - shown.length} more problems; fix these first` });
    throw new ConfigError(source, listed);
  }
  return parsed.data;
}

/** Files this large (a fleet of thousands) are first read one certificate at a time: see parseItemwise. */
const ITEMWISE_MIN_CHARS = 256 * 1024;
const ITEMWISE_MIN_ITEMS = 100;

/**
 * A large, valid certrelay.yml read one `certificates:` item at a time. One YAML document for 10,000 certificates
 * holds a node (with source ranges) per scalar and pair, well over 100 MB, more than the smallest Lambda has; each
 * item parsed alone is garbage as soon as its plain value is taken. Only the plain block layout is handled
 * (`certificates:` at column 0, items `- ` at one indentation, no anchors or aliases); anything else, and any file
 * with a problem, returns undefined so parseConfig reads it whole and reports problems by line as usual.
 */
function parseItemwise(
  text: string,
  catalog: ProviderCatalog,
  parseDocument: YamlModule["parseDocument"],
): CertrelayConfig | undefined {
  // anchors and aliases may cross items
  if (/(^|[\s[{,])[&*][A-Za-z0-9_-]/m.test(text) || /^(---|\.\.\.)/m.test(text) || text.includes("\t"))
    return undefined;
  const lines = text.split("\n");
  const start = lines.findIndex((line) => /^certificates:\s*(#.*)?\r?$/.test(line));
  if (start < 0) return undefined;
  const ignorable = (line: string) => /^\s*(#.*)?\r?$/.test(line);
  let first = start + 1;
  while (first < lines.length && ignorable(lines[first] as string)) first += 1;
  const indent = /^( *)-( |\r?$)/.exec(lines[first] ?? "")?.[1]?.length;
  if (indent === undefined) return undefined;
  const itemStart = new RegExp(`^ {${indent}}-( |\\r?$)`);
  const items: string[] = [];
  let end = first;
  for (; end < lines.length; end += 1) {
    const line = lines[end] as string;
    if (itemStart.test(line)) items.push(line);
    else if (ignorable(line) || line.length - line.trimStart().length > indent) items[items.length - 1] += `\n${line}`;
    else break;
  }
  // a large file with few certificates is not a fleet (more likely one enormous entry): read it whole, once
  if (items.length < ITEMWISE_MIN_ITEMS) return undefined;
  const header = parseDocument([...lines.slice(0, start), ...lines.slice(end)].join("\n"), { uniqueKeys: true });
  if (header.errors.length > 0) return undefined;
  const raw: unknown = header.toJS({ maxAliasCount: 0 }) ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || "certificates" in raw) return undefined;
  const certificates: unknown[] = [];
  const strings = new Map<string, string>();
  for (const item of items) {
    const doc = parseDocument(item, { uniqueKeys: true });
    if (doc.errors.length > 0) return undefined;
    const value: unknown = doc.toJS({ maxAliasCount: 0 });
    if (!Array.isArray(value) || value.length !== 1) return undefined;
    // A copy, because yaml's strings are slices of the item's text, which would otherwise stay alive as long as the
    // config does (the whole run; at 10,000 certificates ~6 MiB of heap, heap snapshot of `npm run bench -- fleet`);
    // and one string for each value repeated across items (endpoints, credentials, providers: ~4 MiB more).
    certificates.push(sharingStrings(structuredClone(value[0]), strings));
  }
  const whole = { ...(raw as Record<string, unknown>), certificates };
  const inlineSecrets: FoundProblem[] = [];
  findInlineSecrets(whole, [], inlineSecrets, catalog);
  if (inlineSecrets.length > 0 || duplicateProblems(whole).length > 0 || hardeningProblems(whole, catalog).length > 0)
    return undefined;
  const parsed = catalog.configSchema.safeParse(whole);
  return parsed.success ? parsed.data : undefined;
}

/** `value` (plain data) with each string replaced by the first equal one seen in `strings`. */
function sharingStrings(value: unknown, strings: Map<string, string>): unknown {
  if (typeof value === "string") {
    const shared = strings.get(value);
    if (shared !== undefined) return shared;
    strings.set(value, value);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => sharingStrings(item, strings));
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value))
      (value as Record<string, unknown>)[key] = sharingStrings(item, strings);
  }
  return value;
}

function compareLines(a: number | undefined, b: number | undefined): number {
  return (a ?? Number.MAX_SAFE_INTEGER) - (b ?? Number.MAX_SAFE_INTEGER);
}

/**
 * Read and validate a config file. A missing file is INPUT_MISSING; anything wrong inside is CONFIG_INVALID.
 * `catalog`: the vendors entries may name (default: the built-in ones).
 */
export async function loadConfig(path: string, catalog: ProviderCatalog = builtInCatalog()): Promise<CertrelayConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
    if (code === "ENOENT") {
      throw new CertrelayError(
        ErrorCodes.INPUT_MISSING,
        `config file ${path} not found; create it (see certrelay.yml in the README)`,
        {
          field: path,
        },
      );
    }
    throw new CertrelayError(
      ErrorCodes.CONFIG_INVALID,
      `config file ${path} could not be read: ${code ?? "unknown error"}`,
      {
        field: path,
        cause: e,
      },
    );
  }
  return parseConfig(text, path, catalog);
}
