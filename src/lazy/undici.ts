/**
 * Bundle entry of its own: what `import("undici")` loads in the shipped bundles (scripts/bundles.ts). A bundle is
 * one file, so code only some runs use still costs every start its parse (undici is ~0.5 MB); kept in a file of its
 * own, it is read when the first vendor request is made. Named exports, not `export *`: esbuild can only give named
 * exports of a CommonJS package when the names are written down.
 */
export { Agent } from "undici";
