/**
 * A sandbox's own HTTP ceiling for a route, measured with autocannon at a given number of connections. Each
 * request carries the vendor's auth as the real client's do (a fresh SFD signature per request for the CDN, which
 * refuses reused nonces; basic auth for the reseller).
 */
import autocannon from "autocannon";
import { signRequest } from "../src/providers/cdn/signature.js";

export function sfdAuth(credentials: {
  accessKeyId: string;
  accessKeySecret: string;
}): (url: URL) => Record<string, string> {
  return (url) => signRequest({ method: "GET", url, headers: {}, body: undefined }, credentials, new Date());
}

export function basicAuth(credentials: { username: string; apiKey: string }): () => Record<string, string> {
  const header = `Basic ${Buffer.from(`${credentials.username}:${credentials.apiKey}`).toString("base64")}`;
  return () => ({ authorization: header });
}

export interface CeilingOptions {
  baseUrl: string;
  /** auth headers for one GET of `url` */
  authFor: (url: URL) => Record<string, string>;
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
          return {
            ...request,
            method: "GET",
            path,
            headers: { ...options.authFor(url), host: url.host, accept: "application/json" },
          };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.total / Math.max(0.001, result.duration),
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
