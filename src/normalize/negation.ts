import type { Token } from './text.js';

/** Words that negate what follows them in the same clause. */
const NEGATORS = new Set(['not', 'no', 'never', 'neither', 'nor', 'non', 'without', 'hardly', 'barely', 'lacks', 'lacking', 'nothing', 'none', 'isnt', 'dont', 'doesnt', 'wasnt', 'arent', 'cant', 'wont', 'cannot']);
/** Tokens that end a clause: negation does not reach across them. */
const CLAUSE_BREAKS = new Set(['.', ',', ';', ':', '!', '?', '(', ')', '[', ']', 'but', 'however', 'yet', 'although', 'though', 'and']);
/** How many tokens back a negator may stand (`not really very positive`). */
const WINDOW = 3;

function isNegator(tokens: readonly Token[], j: number): boolean {
  const t = tokens[j]?.text ?? '';
  if (NEGATORS.has(t) || t.endsWith("n't")) return true;
  const prev = tokens[j - 1]?.text;
  // `rather than X`, `instead of X`: X is what the model did not pick.
  return (t === 'than' && prev === 'rather') || (t === 'of' && prev === 'instead');
}

/** Whether the mention starting at token `i` is negated (`not positive`, `isn't toxic`, `rather than B`). */
export function isNegated(tokens: readonly Token[], i: number): boolean {
  for (let j = i - 1; j >= 0 && j >= i - WINDOW; j--) {
    const t = tokens[j] as Token;
    if (isNegator(tokens, j)) return true;
    if (CLAUSE_BREAKS.has(t.text) || t.newline) return false;
  }
  // A line break before the mention also ends the clause.
  return false;
}

/** Whether token `i` is a negator (used when an answer position starts with one: `not B`). */
export function isNegatorAt(tokens: readonly Token[], i: number): boolean {
  return isNegator(tokens, i);
}
