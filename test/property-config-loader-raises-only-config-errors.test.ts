/**
 * parseConfig on anything a user might save as certrelay.yml (random text, random YAML documents, the
 * documented example with a value replaced or a key dropped): a config or a ConfigError with problems, never a
 * raw YAML or zod error.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ConfigError, parseConfig } from "../src/config/index.js";
import { exampleConfig } from "./support/config-example.js";

const settings = { seed: 20261124, numRuns: 200 };

async function outcome(text: string): Promise<string> {
  try {
    await parseConfig(text);
    return "ok";
  } catch (error) {
    if (error instanceof ConfigError)
      return error.problems.length > 0 ? "config-error" : "config-error without problems";
    return `raw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

/** Every path (keys and list indexes) to a leaf or a node of a parsed document. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((v, i) => paths(v, [...prefix, i]))];
  if (value !== null && typeof value === "object")
    return [prefix, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
  return [prefix];
}

function edit(doc: unknown, path: Array<string | number>, replacement: unknown, drop: boolean): unknown {
  if (path.length === 0) return drop ? undefined : replacement;
  const [head, ...rest] = path;
  if (Array.isArray(doc)) {
    const copy = [...doc];
    if (drop && rest.length === 0) copy.splice(Number(head), 1);
    else copy[Number(head)] = edit(copy[Number(head)], rest, replacement, drop);
    return copy;
  }
  const copy = { ...(doc as Record<string, unknown>) };
  if (drop && rest.length === 0) delete copy[String(head)];
  else copy[String(head)] = edit(copy[String(head)], rest, replacement, drop);
  return copy;
}

describe("config loader answers with ConfigError only", () => {
  it("on arbitrary text", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 400 }), async (text) => {
        expect(await outcome(text)).toMatch(/^(ok|config-error)$/);
      }),
      settings,
    );
  });

  it("on arbitrary YAML documents", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        expect(await outcome(stringify(value))).toMatch(/^(ok|config-error)$/);
      }),
      settings,
    );
  });

  it("on the documented example with one value replaced or one key dropped", async () => {
    const example = parse(exampleConfig) as unknown;
    const all = paths(example);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string(), fc.integer(), fc.constant(null)),
        fc.boolean(),
        async (which, replacement, drop) => {
          const path = all[which % all.length] ?? [];
          // dropping the root leaves an empty file
          expect(await outcome(stringify(edit(example, path, replacement, drop)) ?? "")).toMatch(/^(ok|config-error)$/);
        },
      ),
      settings,
    );
  });

  it("on the example text cut anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (at) => {
        expect(await outcome(exampleConfig.slice(0, at % exampleConfig.length))).toMatch(/^(ok|config-error)$/);
      }),
      settings,
    );
  });
});
