import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

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
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable against process crashes in WAL mode (only power loss can drop the last commits).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
