/**
 * The issuer the fleet tests renew through, behind one small interface so the tests read the same whichever vendor
 * sandbox plays the issuer: its config block, its credentials in the store, and a purchase counter.
 */
import { startEnosSandbox } from "../../src/sandbox/enos/server.js";
import type { FleetFixture } from "./fleet.js";

export interface IssuerFixture {
  /** the `issuer:` block body for certrelay.yml */
  yaml(indent: string): string;
  /** certificates bought/issued so far: must stay at one per renewal whatever crashes */
  purchases(): number;
  /** credential values that must never appear in output */
  secrets: string[];
  stop(): Promise<void>;
}

/** EnOS as the issuer: each issuance is one POST to its certificates endpoint (`action=apply`). */
export async function startIssuerFor(f: FleetFixture): Promise<IssuerFixture> {
  const enos = await startEnosSandbox({ ca: f.ca, clock: f.clock.now });
  await f.secrets.putCredentials("certrelay/enos", enos.credentials);
  return {
    yaml: (indent) =>
      [
        "provider: enos",
        `endpoint: ${enos.url}`,
        "credentials: certrelay/enos",
        `orgId: ${enos.orgId}`,
        "assetId: yourDeviceAssetId",
        // the CDN target takes RSA keys only
        "issueAuthority: RSA",
        "validDays: 90",
      ]
        .map((line) => indent + line)
        .join("\n"),
    purchases: () => enos.count("POST /connect-service/v2.0/certificates"),
    secrets: [enos.credentials.appSecret],
    stop: () => enos.stop(),
  };
}
