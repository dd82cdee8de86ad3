/**
 * Bundle entry of its own in the Action and the CLI (scripts/bundles.ts): what `import("@aws-sdk/client-route-53")`
 * loads there. Only an ACME DNS-01 challenge through Route53 uses it, yet inlined it brought the AWS SDK core,
 * @smithy and the credential chain (~0.6 MB) into every start's parse. The Lambda bundles keep the SDK external (the
 * runtime's copy, loaded on the same `import()`). Named exports: the ones src/dns/route53.ts uses.
 */
export {
  Route53Client,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
} from "@aws-sdk/client-route-53";
