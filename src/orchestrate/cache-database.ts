import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** How long a connection waits for another's lock before failing: generous, since a loaded machine stretches every short write. */
const BUSY_TIMEOUT_MS = 15_000;

/**
 * Opens the cache's SQLite file the one way every connection to it must: its folder created 0700
 * and the file 0600 before SQLite touches it (answers may quote what users sent, and SQLite gives
 * its -wal and -shm files the database file's permissions), WAL so several connections and
 * processes share it, and a busy timeout instead of failing on a lock.
 */
export function openCacheDatabase(path: string): Database.Database {
  const fresh = path === ':memory:' || !existsSync(path);
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (fresh) closeSync(openSync(path, 'a', 0o600));
  }
  // The busy timeout is given when the connection opens (the constructor's `timeout`), so it also
  // covers the switch of a fresh file to WAL, which takes a lock.
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  db.pragma('journal_mode = WAL');
  // NORMAL is durable against process crashes in WAL mode (only power loss can drop the last commits).
  db.pragma('synchronous = NORMAL');
  return db;
}
