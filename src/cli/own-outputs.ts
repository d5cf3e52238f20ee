import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** The files a command writes whole and may write again on a re-run: what each looks like. */
export type OwnOutput = 'eval-json' | 'html-report' | 'markdown-report' | 'strategy';

/**
 * How the head of each output begins as this tool writes it. A re-run replaces its own earlier
 * report or fitted strategy; a file whose head matches none of these was written by someone else
 * (notes, another tool's JSON, a misspelt path) and is not ours to replace.
 */
const SIGNATURE: Record<OwnOutput, { what: string; looks: RegExp }> = {
  'eval-json': { what: 'a fusion eval --json result', looks: /^\{\s*"task"\s*:/ },
  'html-report': { what: 'an llm-fusion HTML report', looks: /<title>llm-fusion report/ },
  'markdown-report': { what: 'a fusion eval Markdown report', looks: /^# [^\n]*: fusion eval/ },
  strategy: { what: 'a fitted strategy', looks: /^\{\s*"format"\s*:\s*"llm-fusion\// },
};

const HEAD_BYTES = 4096;

/** The first bytes of a file (its head is enough to recognise every signature). */
function head(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses (UsageError, exit 2) an output path whose folder does not exist, or that holds a file this tool did not write: an absent
 * or empty file, or one that begins as `kind` is written, may be replaced. Checked before anything
 * is asked or fitted, so a refused path costs nothing. Whatever is not a regular file is left to
 * the writer, which refuses it.
 */
export function refuseForeignOutputs(outputs: readonly { flag: string; path: string | undefined; kind: OwnOutput }[]): void {
  for (const { flag, path, kind } of outputs) {
    if (path === undefined) continue;
    // Found now, not after a long evaluation (and its paid calls) when the file is written.
    if (!statSync(dirname(resolve(path)), { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${flag} ${path}: its folder does not exist`);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st?.isFile() || st.size === 0) continue;
    const { what, looks } = SIGNATURE[kind];
    if (!looks.test(head(path).replace(/^\uFEFF/, ''))) {
      throw new UsageError(`${flag} ${path}: exists and is not ${what}; fusion replaces only its own earlier output. Choose another path, or remove the file first.`);
    }
  }
}
