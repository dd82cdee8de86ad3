/**
 * certrelay.yml is read by schedulers and Lambdas that run unattended, so a config file must not be able to hang or
 * crash them, and a secret pasted into it by mistake must be refused without being repeated. These checks run
 * beside the schema: the shape of the YAML (aliases, depth, size) before it is turned into values, the meaning of
 * values (secret ids, endpoints) after. Every problem carries the path and line, never the value.
 */
import type { Document, LineCounter } from "yaml";
import type { YamlModule } from "../lazy/yaml.js";
import { builtInCatalog } from "../providers/catalog.js";
import { builtInProviderNames } from "../providers/index.js";

/** Bigger than any real fleet (a 10,000-certificate config has ~150,000 keys), small enough to bound a run. */
export const LIMITS = {
  bytes: 32 * 1024 * 1024,
  keys: 500_000,
  /** values all aliases together may stand for: a "billion laughs" file is small but expands past any limit */
  aliasValues: 200_000,
  depth: 64,
  /** problems listed in one error; the rest are counted */
  problems: 50,
} as const;

export interface ShapeProblem {
  message: string;
  line?: number;
}

class ShapeStop extends Error {
  constructor(readonly problem: ShapeProblem) {
    super(problem.message);
  }
}

/**
 * One linear walk over the parsed YAML (each node once; aliases use the size already computed for their anchor):
 * refuses recursive aliases, aliases that stand for more than LIMITS.aliasValues values, more than LIMITS.keys keys and nesting
 * deeper than LIMITS.depth, each with the line where it happens. `yaml`: the module that parsed `doc`, loaded on
 * first use by load.ts (a static import would put yaml back into every bundle's start).
 */
export function shapeProblem(
  doc: Document,
  lineCounter: LineCounter,
  yaml: Pick<YamlModule, "isAlias" | "isMap" | "isPair" | "isScalar" | "isSeq">,
): ShapeProblem | undefined {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yaml;
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  let keys = 0;
  let aliasValues = 0;
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] | null } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  const at = (node: unknown) => {
    const line = lineOf(node);
    return line === undefined ? {} : { line };
  };

  function size(node: unknown, depth: number): number {
    if (node === null || node === undefined || isScalar(node)) return 1;
    if (depth > LIMITS.depth)
      throw new ShapeStop({
        message: `nests deeper than ${LIMITS.depth} levels; a certrelay.yml needs fewer than 10`,
        ...at(node),
      });
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (target === undefined) return 1;
      if (open.has(target)) {
        throw new ShapeStop({
          message: `the alias *${node.source} refers to a node that contains it (a recursive alias); replace it with the values it should repeat`,
          ...at(node),
        });
      }
      const expanded = size(target, depth + 1);
      aliasValues += expanded;
      if (aliasValues > LIMITS.aliasValues) {
        throw new ShapeStop({
          message: `its aliases stand for more than ${LIMITS.aliasValues} values (a "billion laughs" file); write the values out instead of nesting aliases`,
          ...at(node),
        });
      }
      return expanded;
    }
    const known = sizes.get(node);
    if (known !== undefined) return known;
    open.add(node);
    let total = 1;
    if (isMap(node)) {
      // Duplicate keys are found here with a Set (yaml's own uniqueKeys check compares every key with every
      // earlier one: quadratic in a mapping's size). The key is not printed: it may be a pasted secret.
      const seen = new Set<string>();
      for (const pair of node.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (name !== undefined) {
          if (seen.has(name))
            throw new ShapeStop({
              message: "YAML syntax error: a key appears twice in the same mapping; keep one",
              ...at(pair.key),
            });
          seen.add(name);
        }
        keys += 1;
        if (keys > LIMITS.keys)
          throw new ShapeStop({
            message: `has more than ${LIMITS.keys} keys; split the fleet into several config files`,
            ...at(pair.key),
          });
        total += size(pair.key, depth + 1) + size(pair.value, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) total += size(item, depth + 1);
    } else if (isPair(node)) {
      total += size(node.key, depth + 1) + size(node.value, depth + 1);
    }
    open.delete(node);
    sizes.set(node, total);
    return total;
  }

  try {
    size(doc.contents, 0);
    return undefined;
  } catch (error) {
    if (error instanceof ShapeStop) return error.problem;
    if (error instanceof RangeError)
      return { message: `nests too deeply to read; a certrelay.yml needs fewer than 10 levels` };
    throw error;
  }
}

function charClass(c: string): number {
  if (c >= "a" && c <= "z") return 0;
  if (c >= "A" && c <= "Z") return 1;
  if (c >= "0" && c <= "9") return 2;
  return 3;
}

/** Share of neighbouring characters that switch between lower, upper, digit and symbol: words ~0.1, base64 ~0.6. */
function switchRate(text: string): number {
  let switches = 0;
  for (let i = 1; i < text.length; i++)
    if (charClass(text[i] as string) !== charClass(text[i - 1] as string)) switches += 1;
  return text.length < 2 ? 0 : switches / (text.length - 1);
}

function randomLooking(text: string): boolean {
  const collapsed = text.replace(/[/._-]/g, "");
  if (collapsed.length < 16) return false;
  if (/^[0-9a-f]{24,}$/i.test(collapsed)) return true; // hex keys and tokens
  if (/[+=]/.test(collapsed) && switchRate(collapsed) >= 0.2) return true; // base64 with its symbols
  return switchRate(collapsed) >= 0.33;
}

/**
 * Whether a value in an id field (credentials, secret) or a key looks like secret material pasted in the wrong
 * place: PEM, a well-known key shape, or a long random-looking run. A heuristic, tuned so that ids people write
 * (`certrelay/cdn`, `prod/yeastar-pbx-01`, `MyCompany/Production/Yeastar2024`) pass.
 */
export function looksLikePastedSecret(value: string): boolean {
  if (value.includes("-----BEGIN") || value.includes("PRIVATE KEY")) return true;
  if (/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(value)) return true;
  if (/^(ghp|gho|ghs|github_pat|sk_live|sk_test|xox[abp])_/.test(value)) return true;
  if (value.length > 200) return true;
  return randomLooking(value) || value.split("/").some(randomLooking);
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Plain http leaves the machine only for a non-loopback host: credentials and keys would cross the network in clear. */
export function isInsecureEndpoint(endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    return url.protocol === "http:" && !LOOPBACK.test(url.hostname);
  } catch {
    return false;
  }
}

/** A port in a URL or `host:port` that no socket can have (0, or above 65535). */
export function portProblem(text: string): string | undefined {
  const port = /^(?:[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?)?(?:\[[^\]]*\]|[^:/?#@]*):(\d+)(?:[/?#]|$)/i.exec(text)?.[1];
  if (port === undefined) return undefined;
  const n = Number(port);
  return n >= 1 && n <= 65_535 ? undefined : `port ${port} is out of range; use a port from 1 to 65535`;
}

/**
 * What a built-in provider's credentials secret must hold, for hints: its required fields, and the optional ones as
 * optional; a secret whose fields are all optional may be `{}` (the ACME account key is written by certrelay).
 */
export function credentialsSecretHint(provider: string): string | undefined {
  const definition = builtInCatalog().definition(provider);
  if (!definition) return undefined;
  const shape = definition.credentials.shape;
  const fields = Object.keys(shape);
  const optional = fields.filter((field) => shape[field]?._zod.optin === "optional");
  const required = fields.filter((field) => !optional.includes(field));
  const quoted = (list: string[]) => list.map((field) => `'${field}'`).join(" and ");
  const note = definition.credentialsNote === undefined ? "" : `, ${definition.credentialsNote}`;
  const optionals =
    optional.length === 0 ? "" : `${quoted(optional)} ${optional.length === 1 ? "is" : "are"} optional${note}`;
  if (required.length === 0) return `provider ${provider}: the secret may be {}${optionals ? `; ${optionals}` : ""}`;
  return `provider ${provider} reads ${quoted(required)}${optionals ? `; ${optionals}` : ""}`;
}

/**
 * The credential fields each built-in provider's secret holds: hints name them, so a user knows what goes into the
 * store. Derived from the definitions' credentials schemas, each read when first asked for.
 */
export const CREDENTIAL_FIELDS: Readonly<Record<string, readonly string[]>> = Object.defineProperties(
  {},
  Object.fromEntries(
    builtInProviderNames.map((name) => [
      name,
      { enumerable: true, get: () => builtInCatalog().credentialFields(name) },
    ]),
  ),
);
