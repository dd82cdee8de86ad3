export {
  renewBeforeDaysFor,
  configSchemasFor,
  roleSchemasFor,
  type CertrelayConfig,
  type ManagedCertificate,
  type CertrelayConfigOf,
  type ManagedCertificateOf,
  type BuiltInCertrelayConfig,
  type BuiltInManagedCertificate,
  type TargetConfig,
  type IssuerConfig,
  type YeastarConfig,
  type EnosConfig,
  type CdnConfig,
  type ResellerConfig,
} from "./schema.js";
export { parseConfig, loadConfig, formatPath, ConfigError, type ConfigProblem } from "./load.js";
