import { FolderInUseError } from '../orchestrate/folder-lock.js';
import { StoreError, StoreLocationError } from '../orchestrate/store/errors.js';
import { StrategyError } from '../fuse/strategy.js';
import { ProviderError } from '../providers/provider.js';
import { InputError } from '../task/errors.js';
import { escapeControl } from '../task/escape.js';
import type { CliIo } from './io.js';

/** Exit status of a run that finished but some calls failed after all retries (a re-run retries only those). */
export const EXIT_CALLS_FAILED = 4;

/** Exit status when --max-cost stopped the calls: what was answered is kept and used, the same command resumes. */
export const EXIT_BUDGET = 3;

/** Exit status when the response cache (or another file the run writes) cannot be read or written: corrupt, read-only, disk full. */
export const EXIT_STORAGE = 5;

const SQLITE_HINTS: Record<string, string> = {
  SQLITE_CORRUPT: 'the response cache is corrupt',
  SQLITE_NOTADB: 'the response cache is not a SQLite database (is --cache naming another file?)',
  SQLITE_READONLY: 'the response cache is read-only (check its permissions and those of its folder)',
  SQLITE_FULL: 'the disk holding the response cache is full',
  SQLITE_CANTOPEN: 'the response cache cannot be opened (check the --cache path and its folder)',
  SQLITE_IOERR: 'the response cache cannot be read or written (I/O error)',
  SQLITE_BUSY: 'the response cache stayed locked by another process',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
};

/** A plain sentence for a storage failure (SQLite or the file system), or undefined when `error` is something else. */
function storageProblem(error: unknown): string | undefined {
  // The store wraps what the database said: its code names the problem.
  if (error instanceof StoreError && error.cause !== undefined) return storageProblem(error.cause);
  if (!(error instanceof Error)) return undefined;
  const code = String((error as { code?: unknown }).code ?? '');
  const family = Object.keys(SQLITE_HINTS).find((k) => code === k || code.startsWith(`${k}_`));
  if (!family || (error.name !== 'SqliteError' && !code.startsWith('E'))) return undefined;
  return `${SQLITE_HINTS[family]}: ${error.message} (${code}). Answers already received are kept in the cache; fix this and run the same command again.`;
}

/** Wrong command-line usage: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Prints an error a user must act on and returns the exit code; unexpected errors keep their stack. */
export function reportError(io: CliIo, error: unknown): number {
  // Messages quote input (ids, lines, file names): control characters are escaped, never sent to the terminal raw.
  const stderr = io.stderr;
  io = { ...io, stderr: { write: (text: string) => stderr.write(escapeControl(text)) } as CliIo['stderr'] };
  if (error instanceof InputError) {
    io.stderr.write(`fusion: invalid input:\n${error.message}\n`);
    return 2;
  }
  if (error instanceof UsageError || error instanceof FolderInUseError) {
    io.stderr.write(`fusion: ${error.message}\n`);
    return 2;
  }
  // A bad model spec, a missing key, a model an adaptive policy was not fitted with: the command line or its environment is wrong.
  if (error instanceof ProviderError && error.kind === 'config') {
    io.stderr.write(`fusion: ${error.message}\n`);
    return 2;
  }
  const storage = storageProblem(error);
  if (storage) {
    io.stderr.write(`fusion: ${storage}\n`);
    return EXIT_STORAGE;
  }
  // Failures a user must act on (a strategy that cannot be fitted or loaded, a provider refusing
  // the run before any call): their message is the whole story, a stack trace would be noise.
  // The store cannot be used (unreachable, refused, newer schema): a storage failure, as above.
  if (error instanceof StoreError && !(error instanceof StoreLocationError)) {
    io.stderr.write(`fusion: ${error.message}\n`);
    return EXIT_STORAGE;
  }
  if (error instanceof StrategyError || error instanceof ProviderError || error instanceof StoreError) {
    io.stderr.write(`fusion: ${error.message}\n`);
    return 1;
  }
  io.stderr.write(`fusion: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
