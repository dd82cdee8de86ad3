export { renewalWindow, type RenewalWindow } from "./due.js";
export { renewalReference } from "./reference.js";
export { describeWindow, newReport, targetsFailure } from "./report.js";
export { rotateCertificate } from "./rotate.js";
export {
  CheckpointInterrupt,
  checkpoint,
  describePending,
  errorSummary,
  pendingSummary,
  type ErrorSummary,
} from "./summary.js";
export { obtainOrResume, restartRenewal, subjectFor, type Issuance, type IssuanceInput } from "./issuance.js";
export {
  deployAndVerify,
  deployToTarget,
  inspectTarget,
  listHeld,
  type Deployment,
  type DeployStepOptions,
  type InspectOptions,
  type TargetInspection,
} from "./target.js";
export { awaitIssuance, pollUntilSettled, type PollSettings } from "./poll.js";
export { runPipeline, summarize, type RunOptions, type RunSummary } from "./run.js";
export type * from "./types.js";
export { CERTIFICATE_ACTIONS, countByAction } from "./types.js";
