export { renewalWindow, type RenewalWindow } from "./due.js";
export { renewalReference } from "./reference.js";
export { rotateCertificate, CheckpointInterrupt, describePending, errorSummary, pendingSummary } from "./rotate.js";
export { runPipeline, summarize, type RunOptions, type RunSummary } from "./run.js";
export type * from "./types.js";
