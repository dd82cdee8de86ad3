import { setFlagsFromString } from "node:v8";

/**
 * Keep WebAssembly on V8's baseline compiler (Liftoff) in the Lambda handlers. undici parses HTTP/1.1 with llhttp
 * compiled to WebAssembly; once that parser is hot, V8 recompiles it with TurboFan on a background thread, and that
 * one compilation's zone memory is a burst of 25-35 MiB outside the JS heap for a fraction of a second (heaptrack
 * of the fleet bench: Zone::Expand under Pipeline::GenerateCodeForWasmFunction). It set the scheduler's peak RSS:
 * 136 MiB at 1,000 certificates with it, 111 MiB without, the run's wall time unchanged (Liftoff code parses a
 * scan's few MB of responses as fast as it needs to). A flag set at run time applies to modules compiled after it,
 * and undici compiles llhttp on its first connection; Node leaves V8's flags unfrozen after start for
 * `v8.setFlagsFromString`. (The Lambda runtime does not pass V8 flags through NODE_OPTIONS.)
 */
export function keepWasmOnBaselineCompiler(): void {
  setFlagsFromString("--liftoff-only");
}
