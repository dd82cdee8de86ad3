/**
 * All four vendor sandboxes at once, on free loopback ports, sharing one test CA: what `certrelay sandbox`, the
 * `npm start` demo, the CLI tests and the bench start. Each vendor server keeps its own knobs and counters; this
 * file only wires them together and stops them in one call.
 */
import type { Clock } from "../model.js";
import { TestCA } from "./ca.js";
import { startCdnSandbox, type CdnSandbox, type CdnSandboxCredentials } from "./cdn/server.js";
import { startEnosSandbox, type EnosSandbox, type EnosSandboxCredentials } from "./enos/server.js";
import { startResellerSandbox, type ResellerSandbox } from "./reseller/server.js";
import { startYeastarSandbox, type YeastarSandbox, type YeastarSandboxCredentials } from "./yeastar/server.js";

export { TestCA } from "./ca.js";
export { ManualClock } from "./server.js";

export interface SandboxOptions {
  /** the clock every vendor server answers with (default: the real clock) */
  clock?: Clock;
  /** randomness for fault probabilities (inject for deterministic chaos runs) */
  random?: () => number;
  /** reuse a CA (e.g. one whose PEM a test already trusts); default: a fresh TestCA */
  ca?: TestCA;
}

export interface SandboxUrls {
  yeastar: string;
  enos: string;
  cdn: string;
  reseller: string;
  /** the CDN's HTTPS edge as `host:port` (config `verifyAddress`) */
  edge: string;
}

export interface SandboxCredentials {
  yeastar: YeastarSandboxCredentials;
  enos: EnosSandboxCredentials;
  cdn: CdnSandboxCredentials;
  reseller: Record<string, string>;
}

export interface Sandbox {
  ca: TestCA;
  yeastar: YeastarSandbox;
  enos: EnosSandbox;
  cdn: CdnSandbox;
  reseller: ResellerSandbox;
  urls: SandboxUrls;
  /** demo values, fixed so docs can name them; never a real user's secret */
  credentials: SandboxCredentials;
  edge: { port: number };
  /** stops every server; safe to call twice */
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const ca = options.ca ?? (await TestCA.create({ name: "Certrelay Sandbox" }));
  const common = {
    ca,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.random ? { random: options.random } : {}),
  };
  const started = await Promise.allSettled([
    startYeastarSandbox(common),
    startEnosSandbox(common),
    startCdnSandbox(common),
    startResellerSandbox(common),
  ] as const);
  const failure = started.find((s) => s.status === "rejected");
  if (failure) {
    // one server failing to bind must not leave the others listening
    await Promise.allSettled(started.map((s) => (s.status === "fulfilled" ? s.value.stop() : undefined)));
    throw failure.reason;
  }
  const [yeastar, enos, cdn, reseller] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    YeastarSandbox,
    EnosSandbox,
    CdnSandbox,
    ResellerSandbox,
  ];
  let stopped: Promise<void> | undefined;
  return {
    ca,
    yeastar,
    enos,
    cdn,
    reseller,
    urls: {
      yeastar: yeastar.url,
      enos: enos.url,
      cdn: cdn.url,
      reseller: reseller.url,
      edge: `127.0.0.1:${cdn.edgePort}`,
    },
    credentials: {
      yeastar: yeastar.credentials,
      enos: enos.credentials,
      cdn: cdn.credentials,
      reseller: { ...reseller.credentials },
    },
    edge: { port: cdn.edgePort },
    stop() {
      stopped ??= Promise.allSettled([yeastar.stop(), enos.stop(), cdn.stop(), reseller.stop()]).then(() => undefined);
      return stopped;
    },
  };
}
