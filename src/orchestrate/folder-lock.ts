import { closeSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { readTextFileSync } from '../task/safe-read.js';
import { openRegularForWrite } from '../task/safe-write.js';
import { processAlive } from '../util/process-alive.js';

/** Another live run holds the folder: the user waits for it or stops it (exit 2 in the CLI). */
export class FolderInUseError extends Error {
  override readonly name = 'FolderInUseError';
}

/** A lock left by a killed run on another machine is taken over once it has not been refreshed for this long. */
export const STALE_LOCK_MS = 10_000;


/**
 * Makes a run the only writer of an eval folder: a second `fusion eval D --models` on the same
 * folder stops at once with a clear message instead of paying every call again and appending
 * duplicate lines. proper-lockfile (an atomic mkdir refreshed while the run lives, released on
 * exit, taken over when stale) does the locking; the owner's pid is kept beside it so that a lock
 * left by a run killed on this machine is taken over at once rather than after STALE_LOCK_MS.
 * Returns the release function.
 */
export function lockFolder(dir: string): () => void {
  const lockPath = join(dir, '.fusion.lock');
  const pidPath = `${lockPath}.pid`;
  const take = (): (() => void) => {
    const release = lockfile.lockSync(dir, { lockfilePath: lockPath, realpath: false, stale: STALE_LOCK_MS });
    // A symlink or a FIFO planted there must neither redirect nor block the write.
    let fd: number;
    try {
      fd = openRegularForWrite(pidPath);
    } catch (e) {
      release();
      throw e;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return () => {
      rmSync(pidPath, { force: true });
      release();
    };
  };
  try {
    return take();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    const owner = Number.parseInt(readPid(pidPath) ?? '', 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !processAlive(owner)) {
      // Renamed first (atomic), so only one of several resuming runs removes the dead run's lock.
      const aside = `${lockPath}.dead-${owner}`;
      try {
        renameSync(lockPath, aside);
        rmSync(aside, { recursive: true, force: true });
        return take();
      } catch {
        // another run took it first: fall through to the message
      }
    }
    throw new FolderInUseError(
      `${dir} is in use by another fusion run${Number.isInteger(owner) ? ` (pid ${owner})` : ''} (lock ${lockPath}); wait for it to finish. ` +
        `A lock left by a killed run is taken over once its process is gone (${STALE_LOCK_MS / 1000} s after it stopped, from another machine).`,
    );
  }
}

function readPid(path: string): string | undefined {
  try {
    return readTextFileSync(path, 64);
  } catch {
    return undefined;
  }
}
