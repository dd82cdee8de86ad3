/**
 * The issuer the fleet tests renew through, behind one small interface so the tests read the same whichever vendor
 * sandbox plays the issuer: its config block, its credentials in the store, and a purchase counter.
 */
import { DEFAULT_PLANS, startResellerSandbox } from "../../src/sandbox/reseller/server.js";
import type { FleetFixture } from "./fleet.js";

/** the spec's sample plan (Domain SSL) */
const DOMAIN_SSL_PLAN = DEFAULT_PLANS[0]?.id ?? "";

export interface IssuerFixture {
  /** the `issuer:` block body for certrelay.yml */
  yaml(indent: string): string;
  /** certificates bought/issued so far: must stay at one per renewal whatever crashes */
  purchases(): number;
  /** credential values that must never appear in output */
  secrets: string[];
  stop(): Promise<void>;
}

/** The reseller as the issuer: each purchase is one `POST /ssl-certificate`. */
export async function startIssuerFor(f: FleetFixture): Promise<IssuerFixture> {
  const reseller = await startResellerSandbox({ ca: f.ca, clock: f.clock.now });
  await f.secrets.putCredentials("certrelay/reseller", { ...reseller.credentials });
  return {
    yaml: (indent) =>
      [
        "provider: reseller",
        `endpoint: ${reseller.url}`,
        "credentials: certrelay/reseller",
        "dcvType: DNS",
        `plan: ${DOMAIN_SSL_PLAN}`,
      ]
        .map((line) => indent + line)
        .join("\n"),
    purchases: () => reseller.count("POST /ssl-certificate"),
    secrets: [reseller.credentials.apiKey],
    stop: () => reseller.stop(),
  };
}
