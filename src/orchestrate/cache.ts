/**
 * The response cache as the rest of the code names it: the store (src/orchestrate/store) seen from
 * a run. Kept as its own module so that callers name one thing, whichever database is behind it.
 */
export type { CachedResponse, CallIdentity, RecordedFailure, CacheMode, ClaimResult, FailureDetails, ResponseStore } from './store/store.js';
export type { ResponseStore as ResponseCache } from './store/store.js';
export { DEFAULT_CACHE_PATH, CACHE_URL_ENV, openStore, storeLocation, storeKindOf } from './store/open-store.js';
export { leaseMs } from './store/claim-owner.js';
export { SqliteStore } from './store/sqlite-store.js';
export { PostgresStore } from './store/postgres-store.js';
export { BatchConflictError, StoreError, StoreLocationError } from './store/errors.js';
