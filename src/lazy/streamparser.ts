/**
 * Bundle entry of its own: what `import("@streamparser/json")` loads in the shipped bundles (scripts/bundles.ts).
 * Only listing a CDN account that answers one JSON array (src/providers/cdn/json-array.ts) uses it; inlined, every
 * start parsed it. Named: the one export certrelay uses.
 */
export { JSONParser } from "@streamparser/json";
