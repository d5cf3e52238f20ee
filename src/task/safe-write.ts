import { closeSync, constants, fstatSync, fsyncSync, linkSync, lstatSync, openSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { InputError } from './errors.js';

/**
 * Opens a file of the tool's own (a journal, a pid file) for writing, created when absent, only
 * when it is a regular file. Non-blocking: a FIFO planted there with no reader fails the open
 * (ENXIO) instead of blocking it forever; O_NOFOLLOW: a symlink planted there does not redirect the
 * write. The check is made on the open descriptor, so a swap after it is harmless.
 */
export function openRegularForWrite(file: string, flags = constants.O_TRUNC): number {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | flags, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENXIO' ? 'is a FIFO (named pipe)' : code === 'ELOOP' ? 'is a symlink' : `cannot be written (${code ?? (e as Error).message})`;
    throw new InputError([{ file, message: `${why}; fusion writes only to regular files` }]);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new InputError([{ file, message: 'is not a regular file; fusion writes only to regular files' }]);
  }
  return fd;
}

/**
 * Writes a whole output file (a report, a fitted strategy) so that it is never seen half written:
 * into a fresh temporary file beside it, flushed, then renamed into place. An existing symlink is
 * followed (the file it names is replaced, not the link); anything else that is not a regular
 * file (a directory, a FIFO, a device) is refused.
 */
export function writeFileAtomic(file: string, text: string): void {
  let target = file;
  try {
    const st = lstatSync(file);
    if (st.isSymbolicLink()) target = realpathSync(file);
    const real = st.isSymbolicLink() ? lstatSync(target) : st;
    if (!real.isFile()) throw new InputError([{ file, message: 'is not a regular file; fusion writes outputs only to regular files' }]);
  } catch (e) {
    if (e instanceof InputError) throw e;
    // absent (or a dangling link): created
  }
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Creates new files, all of them or none: each is written whole to a temporary file beside it and
 * flushed, then every one is given its name by a hard link, which fails rather than replace
 * anything there (a file, a symlink, even a dangling one). If one name is taken, the files already
 * linked by this call are removed again, so nothing is left half made. Throws an InputError naming
 * the file that could not be created.
 */
export function createFilesWhole(files: readonly { path: string; text: string }[]): void {
  const temps: string[] = [];
  const linked: string[] = [];
  try {
    for (const { path, text } of files) {
      const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
      const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      temps.push(tmp);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    files.forEach(({ path }, i) => {
      try {
        linkSync(temps[i] as string, path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new InputError([{ file: path, message: code === 'EEXIST' ? 'exists; fusion never overwrites a file' : `cannot be created (${code ?? (e as Error).message})` }]);
      }
      linked.push(path);
    });
  } catch (e) {
    for (const path of linked) rmSync(path, { force: true });
    throw e;
  } finally {
    for (const tmp of temps) rmSync(tmp, { force: true });
  }
}
