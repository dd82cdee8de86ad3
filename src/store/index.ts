export type { Lease, LeaseAttempt, LeaseRequest, PendingRenewal, ScanRead, Store } from "./types.js";
export { SecretsManagerStore, type SecretsManagerStoreOptions } from "./secrets-manager.js";
export { FileStore, type FileStoreOptions } from "./file-store.js";
