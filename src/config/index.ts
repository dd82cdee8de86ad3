export {
  configSchema,
  issuerSchema,
  targetSchema,
  managedCertificateSchema,
  renewBeforeDaysFor,
  ISSUER_PROVIDERS,
  TARGET_PROVIDERS,
  type CertrelayConfig,
  type ManagedCertificate,
  type TargetConfig,
  type IssuerConfig,
  type YeastarConfig,
  type EnosConfig,
  type CdnConfig,
  type ResellerConfig,
} from "./schema.js";
export { parseConfig, loadConfig, formatPath, ConfigError, type ConfigProblem } from "./load.js";
