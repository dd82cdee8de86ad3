export type { AwsClientOptions, DnsChallengeProvider, DnsProviderDeps } from "./types.js";
export { challengeRecord } from "./challenge.js";
export { createDnsProvider, dnsProviderSchema, DNS_PROVIDERS, type DnsProviderConfig } from "./registry.js";
