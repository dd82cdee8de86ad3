import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ACTION_INPUTS, INPUT_DEFAULTS } from "../action/inputs.js";
import { SECRET_INPUTS, SECRET_OUTPUTS, VENDOR_INPUTS } from "../src/operations/index.js";

interface ActionYml {
  inputs: Record<string, { description?: string; default?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}

const yml = parse(readFileSync("action.yml", "utf8")) as ActionYml;
const mainSource = readFileSync("action/main.ts", "utf8");

/**
 * The output names action/main.ts sets: `core.setOutput("name"` calls and the keys of setOutputs' table, plus the
 * outputs through which a vendor hands back a secret it made (named by the vendor, set by main.ts).
 */
function outputsSetByCode(): string[] {
  const names = new Set<string>(SECRET_OUTPUTS);
  for (const m of mainSource.matchAll(/core\.setOutput\("([a-z-]+)"/g)) names.add(m[1] as string);
  const table =
    /const outputs: Record<string, string \| undefined> = \{([\s\S]*?)\n {2}\};/.exec(mainSource)?.[1] ?? "";
  for (const m of table.matchAll(/^\s+"?([a-z-]+)"?:/gm)) names.add(m[1] as string);
  return [...names].sort();
}

// A workflow author reads action.yml; the code reads INPUT_* variables. The two must name the same things.
describe("action.yml and the code agree", () => {
  it("declares exactly the inputs the code reads", () => {
    expect(Object.keys(yml.inputs).sort()).toEqual([...ACTION_INPUTS].sort());
  });

  it("every input name the operations layer hands to the Action is declared", () => {
    for (const name of [...VENDOR_INPUTS, ...SECRET_INPUTS]) expect(Object.keys(yml.inputs)).toContain(name);
  });

  it("no input is read by a literal name that action.yml does not declare", () => {
    const sources = ["action/main.ts", "action/inputs.ts"].map((f) => readFileSync(f, "utf8")).join("\n");
    for (const m of sources.matchAll(/getInput\("([^"]+)"/g)) expect(Object.keys(yml.inputs)).toContain(m[1]);
  });

  it("the defaults the code treats as 'not given' are action.yml's defaults", () => {
    const declared = Object.fromEntries(
      Object.entries(yml.inputs)
        .filter(([, v]) => v.default !== undefined)
        .map(([k, v]) => [k, String(v.default)]),
    );
    expect(INPUT_DEFAULTS).toEqual(declared);
  });

  it("declares exactly the outputs the code sets", () => {
    expect(Object.keys(yml.outputs).sort()).toEqual(outputsSetByCode());
  });

  it("every input and output is described", () => {
    for (const [name, spec] of [...Object.entries(yml.inputs), ...Object.entries(yml.outputs)])
      expect(spec.description?.trim(), name).toBeTruthy();
  });

  it("runs the committed bundle on a current runner", () => {
    expect(yml.runs).toEqual({ using: "node24", main: "dist/action/index.js" });
  });
});
