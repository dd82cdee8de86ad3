export type {
  Lease,
  LeaseAttempt,
  LeaseRequest,
  PendingRenewal,
  ScanRead,
  SessionStore,
  Store,
  VendorSession,
} from "./types.js";
export { sessionCache, type SessionCache } from "./sessions.js";
export { SecretsManagerStore, type SecretsManagerStoreOptions } from "./secrets-manager.js";
export { FileStore, type FileStoreOptions } from "./file-store.js";
