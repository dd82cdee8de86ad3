export type { PendingRenewal, ScanRead, Store } from "./types.js";
export { SecretsManagerStore, type SecretsManagerStoreOptions } from "./secrets-manager.js";
export { FileStore, type FileStoreOptions } from "./file-store.js";
