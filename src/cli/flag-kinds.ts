import { KINDS } from '../kinds/registry.js';
import type { AnyTaskKind, KindFlag } from '../kinds/task-kind.js';
import { andList } from '../util/and-list.js';

/** The column where an option's text starts in the commands' help, and the width it wraps at. */
const INDENT = ' '.repeat(21);
const WIDTH = 101;

/** Words wrapped to the options' text column, every line indented. */
function wrapped(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && INDENT.length + line.length + 1 + word.length > WIDTH) {
      lines.push(INDENT + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(INDENT + line);
  return lines.join('\n');
}

/**
 * The help's sentence on which task kinds honour `flag` and which refuse it, with the refusal each
 * gives, built from the plug-ins' `refusedFlags`: the help and the refusal are one text, so a kind
 * that learns a flag (or a new kind) changes both at once. Wrapped and indented as an option's text.
 */
export function flagKindsHelp(flag: KindFlag, kinds: readonly Pick<AnyTaskKind, 'title' | 'refusedFlags'>[] = KINDS): string {
  const honour = kinds.filter((k) => k.refusedFlags[flag] === undefined).map((k) => k.title);
  const refusals = kinds.flatMap((k) => {
    const why = k.refusedFlags[flag];
    return why === undefined ? [] : [`refused on ${k.title} tasks: ${why}`];
  });
  const works = refusals.length === 0 ? 'for every kind of task' : honour.length === 0 ? '' : `for ${andList(honour)} tasks`;
  return wrapped(`(${[works, ...refusals].filter((p) => p !== '').join('; ')})`);
}
