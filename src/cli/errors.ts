import { FolderInUseError } from '../orchestrate/folder-lock.js';
import { StoreError } from '../orchestrate/store/errors.js';
import { StrategyError } from '../fuse/strategy.js';
import { ProviderError } from '../providers/provider.js';
import { InputError } from '../task/errors.js';
import { escapeControl } from '../task/escape.js';
import type { CliIo } from './io.js';

/** Exit status of a run that finished but some calls failed after all retries (a re-run retries only those). */
export const EXIT_CALLS_FAILED = 4;

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
  // Failures a user must act on (a strategy that cannot be fitted or loaded, a provider refusing
  // the run before any call): their message is the whole story, a stack trace would be noise.
  if (error instanceof StrategyError || error instanceof ProviderError || error instanceof StoreError) {
    io.stderr.write(`fusion: ${error.message}\n`);
    return 1;
  }
  io.stderr.write(`fusion: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
