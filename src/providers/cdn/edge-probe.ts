/**
 * Reads the certificate a CDN edge presents for a name: a TLS handshake with SNI, nothing sent over it.
 */
import { isIP } from "node:net";
import { connect, type PeerCertificate } from "node:tls";

export interface EdgeProbeResult {
  /** served leaf serial, upper hex without leading zeros */
  serial: string;
  /** whether the chain and the name checked out against the trusted roots */
  trusted: boolean;
  /** why not trusted (e.g. `ERR_TLS_CERT_ALTNAME_INVALID`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`) */
  trustError?: string;
}

/** `host:port`, `[v6]:port` or a bare host (port 443). */
export function parseAddress(address: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (v6) return { host: v6[1] as string, port: Number(v6[2] ?? 443) };
  const at = address.lastIndexOf(":");
  if (at > 0 && /^\d+$/.test(address.slice(at + 1)))
    return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
  return { host: address, port: 443 };
}

/** `serverName` is sent as SNI unless it is an IP address (RFC 6066 allows host names only). */
export function probeEdge(options: {
  address: string;
  serverName: string;
  ca?: string;
  timeoutMs: number;
}): Promise<EdgeProbeResult> {
  const { host, port } = parseAddress(options.address);
  return new Promise((resolve, reject) => {
    // rejectUnauthorized stays off so a wrong or untrusted certificate can still be reported by serial; trust is
    // judged from `authorized`, which Node computes (chain against `ca`, then the name) either way.
    const sni = isIP(options.serverName) === 0 ? { servername: options.serverName } : {};
    const socket = connect({ host, port, ...sni, ca: options.ca, rejectUnauthorized: false });
    const timer = setTimeout(
      () => socket.destroy(new Error(`no TLS handshake within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const peer: PeerCertificate = socket.getPeerCertificate();
      const serial = (peer.serialNumber ?? "").toUpperCase().replace(/^0+(?=.)/, "");
      const authorizationError = socket.authorizationError as Error | string | null | undefined;
      const result: EdgeProbeResult = { serial, trusted: socket.authorized };
      if (!socket.authorized && authorizationError) {
        result.trustError = typeof authorizationError === "string" ? authorizationError : authorizationError.message;
      }
      socket.end();
      resolve(result);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
