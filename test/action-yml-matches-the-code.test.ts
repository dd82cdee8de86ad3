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
const readme = readFileSync("README.md", "utf8");
const actionDoc = readFileSync("docs/action.md", "utf8");

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

  // the README is where a user first reads about the Action; it drifted from action.yml before (missing outputs
  // and inputs, an `::error title=...` form the code never prints)
  for (const [doc, file] of [
    ["README.md", readme],
    ["docs/action.md", actionDoc],
  ] as const) {
    it(`${doc} names every input and output action.yml declares`, () => {
      const named = (name: string) => new RegExp(`(?<![\\w-])${name}(?![\\w-])`).test(file);
      for (const name of Object.keys(yml.inputs)) expect(named(name), `input ${name}`).toBe(true);
      for (const name of Object.keys(yml.outputs)) expect(file, `output ${name}`).toContain(`\`${name}\``);
    });

    it(`${doc} lists the status values action.yml lists`, () => {
      const values = (text: string) => [...text.matchAll(/[a-z][a-z-]*/g)].map((m) => m[0]);
      const declared = values((yml.outputs.status?.description ?? "").split("(")[0] ?? "");
      const row = /^\| `status` \| ([^(|]*)/m.exec(file)?.[1] ?? "";
      expect(values(row)).toEqual(declared);
    });

    it(`${doc} shows the error line as the code prints it`, () => {
      expect(file).not.toContain("::error title=");
      expect(file).toContain(
        "`::error::KEY_MISMATCH: private-key does not belong to the certificate ... (input 'private-key')`",
      );
    });
  }

  it("runs the committed bundle on a current runner", () => {
    expect(yml.runs).toEqual({ using: "node24", main: "dist/action/index.js" });
  });
});
