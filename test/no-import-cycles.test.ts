/**
 * The core has no import cycles: every module's runtime imports form a tree, so the steps, the operations and the
 * vendors can each be read (and bundled, and started) without waiting on one another. esbuild's metafile lists the
 * runtime imports (type-only imports are erased), from every entry point the bundles start at.
 */
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ENTRIES = [
  "action/main.ts",
  "lambda/scheduler.ts",
  "lambda/worker.ts",
  "src/cli/main.ts",
  "src/pipeline/index.ts",
  "src/operations/index.ts",
  "src/fleet/index.ts",
  "src/providers/index.ts",
];

function cyclesIn(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe("imports", () => {
  it("form no cycle anywhere in the code the bundles start from", async () => {
    const result = await build({
      entryPoints: ENTRIES,
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      packages: "external",
      metafile: true,
      outdir: "out",
      logLevel: "silent",
    });
    const graph = new Map(
      Object.entries(result.metafile.inputs).map(([file, meta]) => [
        file,
        meta.imports.filter((i) => !i.external).map((i) => i.path),
      ]),
    );
    expect(graph.size).toBeGreaterThan(100);
    expect(cyclesIn(graph).map((cycle) => cycle.join(" -> "))).toEqual([]);
  }, 60_000);
});
