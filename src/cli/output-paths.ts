import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** A path named on the command line, with the flag (or role) that named it, for the message. */
export interface NamedPath {
  what: string;
  path: string;
}

/** The path with every existing part resolved (symlinks followed), so two spellings of one file compare equal. */
function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(canonical(parent), basename(abs));
  }
}

/** Device and inode of an existing file, so that a hard link to an input is caught too. */
function identity(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Refuses (UsageError, exit 2) an output path that is one of the run's inputs, or another output:
 * `fusion eval D --json D/responses.jsonl` would replace the recorded answers, `--cache
 * D/responses.jsonl` turn them into a SQLite file. Paths are compared after resolving symlinks
 * and `..`, and by device and inode where both exist. Checked before anything is asked or written.
 */
export function refuseOutputsOverInputs(outputs: readonly (NamedPath | undefined)[], inputs: readonly (NamedPath | undefined)[]): void {
  const seen: { named: NamedPath; canon: string; id: string | undefined; input: boolean }[] = [];
  const add = (named: NamedPath | undefined, input: boolean): void => {
    if (!named) return;
    const canon = canonical(named.path);
    const id = identity(named.path);
    const same = seen.find((s) => s.canon === canon || (id !== undefined && s.id === id));
    if (same && !(input && same.input)) {
      const kind = same.input ? 'an input of this run' : 'another output of this run';
      throw new UsageError(`${named.what} ${named.path}: is ${same.named.what} ${same.named.path} (${kind}); writing it would destroy it. Choose another path.`);
    }
    seen.push({ named, canon, id, input });
  };
  for (const i of inputs) add(i, true);
  for (const o of outputs) add(o, false);
}

/** `{what, path}` when the flag was given. */
export const flagPath = (flag: string, value: string | undefined): NamedPath | undefined => (value === undefined ? undefined : { what: `--${flag}`, path: value });
