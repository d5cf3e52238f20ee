import { join } from 'node:path';
import lockfile from 'proper-lockfile';

/** Another live run holds the folder: the user waits for it or stops it (exit 2 in the CLI). */
export class FolderInUseError extends Error {
  override readonly name = 'FolderInUseError';
}

/** A lock left by a killed run is taken over once it has not been refreshed for this long. */
export const STALE_LOCK_MS = 10_000;

/**
 * Makes a run the only writer of an eval folder: a second `fusion eval D --models` on the same
 * folder stops at once with a clear message instead of paying every call again and appending
 * duplicate lines. proper-lockfile (an atomic mkdir refreshed while the run lives, released on
 * exit) is used because it already handles stale locks left by killed processes.
 * Returns the release function.
 */
export function lockFolder(dir: string): () => void {
  const lockPath = join(dir, '.fusion.lock');
  try {
    return lockfile.lockSync(dir, { lockfilePath: lockPath, realpath: false, stale: STALE_LOCK_MS });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new FolderInUseError(
        `${dir} is in use by another fusion run (lock ${lockPath}); wait for it to finish. ` +
          `A lock left by a killed run is taken over ${STALE_LOCK_MS / 1000} s after it stopped.`,
      );
    }
    throw e;
  }
}
