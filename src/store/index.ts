export type { PendingRenewal, Store } from "./types.js";
export { SecretsManagerStore } from "./secrets-manager.js";
export { FileStore, type FileStoreOptions } from "./file-store.js";
