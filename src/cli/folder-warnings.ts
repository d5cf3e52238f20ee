import type { EvalFolderBase } from '../task/eval-folder.js';
import { formatIssue } from '../task/errors.js';
import type { CliIo } from './io.js';

/** What the folder's reading noticed without refusing anything (EvalFolderBase.warnings), on stderr, one `file:line: field: what` a line. */
export function printFolderWarnings(folder: Pick<EvalFolderBase, 'warnings'>, io: Pick<CliIo, 'stderr'>): void {
  for (const w of folder.warnings ?? []) io.stderr.write(`fusion: warning: ${formatIssue(w)}\n`);
}
