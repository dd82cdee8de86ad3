/**
 * The sandbox's own HTTP ceiling for a route, measured with autocannon at a given number of connections. Each
 * request carries a fresh SFD signature (the sandbox refuses reused nonces), as the real client's do.
 */
import autocannon from "autocannon";
import { signRequest } from "../src/providers/cdn/signature.js";

export interface CeilingOptions {
  baseUrl: string;
  credentials: { accessKeyId: string; accessKeySecret: string };
  /** path (with query) of the n-th request */
  pathFor: (n: number) => string;
  connections: number;
  durationSeconds: number;
}

export interface Ceiling {
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
}

export async function measureCeiling(options: CeilingOptions): Promise<Ceiling> {
  const base = new URL(options.baseUrl);
  let n = 0;
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [
      {
        method: "GET",
        setupRequest: (request) => {
          const path = options.pathFor(n);
          n += 1;
          const url = new URL(path, base);
          const headers = signRequest({ method: "GET", url, headers: {}, body: undefined }, options.credentials, new Date());
          return { ...request, method: "GET", path, headers: { ...headers, host: url.host, accept: "application/json" } };
        },
      },
    ],
  });
  return { requestsPerSecond: result.requests.total / Math.max(0.001, result.duration), non2xx: result.non2xx, errors: result.errors };
}
