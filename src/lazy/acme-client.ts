/**
 * Bundle entry of its own: what `import("acme-client")` loads in the shipped bundles (scripts/bundles.ts).
 * acme-client brings axios and node-forge (~0.6 MB) that only an ACME issuance uses; in a file of its own, no other
 * start parses them. Every export of acme-client's index, named (esbuild gives named exports of a CommonJS package
 * only when they are written down).
 */
export { Client, directory, crypto, forge, axios, setLogger } from "acme-client";
