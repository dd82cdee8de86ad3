/**
 * Bundle entry of its own: what `import("proper-lockfile")` loads in the shipped bundles (scripts/bundles.ts). Only a
 * file store takes locks; the Lambda never does, and the Action and CLI only when a run writes to one. With
 * graceful-fs (which patches `fs` when evaluated), retry and signal-exit it is CommonJS each start would otherwise
 * compile and run. Named: the one export src/store/file-store.ts uses.
 */
export { lock } from "proper-lockfile";
