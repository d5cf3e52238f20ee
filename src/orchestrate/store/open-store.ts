import { StoreLocationError } from './errors.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { CacheMode, ResponseStore, StoreOptions } from './store.js';

export const DEFAULT_CACHE_PATH = '.fusion/cache.sqlite';

/** The environment variable naming the store when `--cache` does not. */
export const CACHE_URL_ENV = 'FUSION_CACHE_URL';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * What a `--cache` value names: a PostgreSQL URL (`postgres://` or `postgresql://`), or a SQLite
 * file path. Anything else that looks like a URL (`scheme://`, or `postgres:` without the slashes)
 * is refused, so a typo never becomes a folder named after the scheme.
 */
export function storeKindOf(location: string, source = '--cache '): StoreKind {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(location)?.[1]?.toLowerCase();
  // The messages name the scheme only: the rest of the value may hold a password.
  if (scheme === 'postgres' || scheme === 'postgresql') {
    if (!location.slice(scheme.length + 1).startsWith('//')) throw new StoreLocationError(`${source}${location.slice(0, scheme.length + 1)}...: a PostgreSQL store is named postgres://user@host:port/database`);
    return 'postgres';
  }
  // A Windows drive letter (C:\ or C:/) is a path; any other scheme followed by // is a URL we cannot serve.
  if (scheme !== undefined && scheme.length > 1 && location.slice(scheme.length + 1).startsWith('//')) {
    throw new StoreLocationError(`${source}${location.slice(0, scheme.length + 3)}...: unknown store scheme "${scheme}://" (use a file path for SQLite, or postgres://user@host/db)`);
  }
  return 'sqlite';
}

/** The store a run uses: `--cache`, else FUSION_CACHE_URL, else the default SQLite file. */
export function storeLocation(flag: string | undefined, env: NodeJS.ProcessEnv | Readonly<Record<string, string | undefined>> = process.env): string {
  const fromEnv = env[CACHE_URL_ENV];
  const location = flag ?? (fromEnv === undefined || fromEnv === '' ? DEFAULT_CACHE_PATH : fromEnv);
  // A bad value is reported under the name the user gave it by: the flag, or the variable.
  storeKindOf(location, flag === undefined ? `${CACHE_URL_ENV}=` : '--cache ');
  return location;
}

/** Opens the store `location` names (see storeKindOf); PostgreSQL connects on `ready()` or the first use. */
export function openStore(location: string, mode: CacheMode = { read: true, write: true }, options: StoreOptions = {}): ResponseStore {
  return storeKindOf(location) === 'postgres' ? new PostgresStore(location, mode, options) : new SqliteStore(location, mode, options);
}
