import type { Choice } from '../../task/schema.js';
import { cleanSpan } from './final-answer.js';
import { normalizeAnswer, tokenF1, answerTokens } from './squad-normalize.js';

export type ChoiceReading =
  | { kind: 'choice'; label: string; via: 'letter' | 'text' }
  | { kind: 'ambiguous'; labels: string[] }
  | { kind: 'out-of-set'; label: string }
  | { kind: 'none' };

/** Similarity above which a stated answer text names a choice (token F1, and clearly above the runner-up). */
export const CHOICE_TEXT_MIN_F1 = 0.8;

// `Option B` as well as `option B`: the word may be capitalised, the letter decides.
const LETTER_HEAD = /^(?:[Oo]ption|[Cc]hoice|[Ll]etter)?\s*[([]?\s*([A-Za-z])\s*[)\]]?(?=$|[\s.,:;)\]*]|\s*$)/;

// Two choices offered together: "(A) or (B)", "A or B", "A/B", "either (A) or (C)", "(A), (D) and (F)".
const HEDGE = /(?:\(([A-Za-z])\)|(?<![\w'’°])([A-Z])(?![\w'’]))[^()\n]{0,40}?(?:\s+or\s+|\s*\/\s*|\s+and\/or\s+|\s*,\s*|\s+and\s+)(?:option\s+|choice\s+)?(?:\(([A-Za-z])\)|(?<![\w'’°])([A-Z])(?![\w'’]))/;

/** The distinct valid choices a statement offers as alternatives, or [] when it offers none. */
function hedgedLetters(text: string, valid: ReadonlySet<string>): string[] {
  const m = HEDGE.exec(text);
  if (!m) return [];
  const a = (m[1] ?? m[2] ?? '').toUpperCase();
  const b = (m[3] ?? m[4] ?? '').toUpperCase();
  return a !== b && valid.has(a) && valid.has(b) ? [a, b] : [];
}

function byText(span: string, choices: readonly Choice[]): string | null {
  const norm = normalizeAnswer(span);
  if (norm === '') return null;
  const exact = choices.filter((c) => normalizeAnswer(c.text) === norm);
  if (exact.length === 1) return exact[0]?.label ?? null;
  const toks = answerTokens(span);
  const scored = choices.map((c) => ({ label: c.label, f1: tokenF1(answerTokens(c.text), toks) })).sort((a, b) => b.f1 - a.f1);
  const [best, second] = scored;
  if (best && best.f1 >= CHOICE_TEXT_MIN_F1 && (!second || best.f1 - second.f1 >= 0.2)) return best.label;
  return null;
}

/**
 * Reads the choice a stated answer names: a letter (`(C)`, `C`, `\boxed{(C) \text{city}}`, `option C`),
 * or the text of exactly one choice. A statement that names two choices (`(A) or (B)`) is ambiguous:
 * it is never silently read as the first.
 */
export function readChoice(statement: string, choices: readonly Choice[]): ChoiceReading {
  const valid = new Set(choices.map((c) => c.label.toUpperCase()));
  const span = cleanSpan(statement);
  if (span === '') return { kind: 'none' };
  if (/^(?:not|neither|none)\b/i.test(span)) return { kind: 'none' };
  const head = LETTER_HEAD.exec(span);
  const rawLetter = head?.[1];
  // A bare lowercase letter is a word ("a quantum effect"), unless bracketed.
  const letter = rawLetter && (rawLetter === rawLetter.toUpperCase() || /^[([]/.test(span.replace(/^(?:option|choice|letter)\s*/i, '')))
    ? rawLetter.toUpperCase()
    : undefined;
  // Labels that are not single letters ("1".."4", "i".."iv"): the statement starts with one.
  const head2 = /^(?:option|choice)?\s*[([]?\s*([^\s()[\].,:;]+)\s*[)\].,:;]?(?:\s|$)/i.exec(span)?.[1]?.toUpperCase();
  if (head2 && head2.length > 1 || (head2 && /^\d$/.test(head2))) {
    const hit = choices.find((c) => c.label.toUpperCase() === head2);
    if (hit) return { kind: 'choice', label: hit.label.toUpperCase(), via: 'letter' };
  }
  const hedged = hedgedLetters(span, valid);
  if (hedged.length >= 2) return { kind: 'ambiguous', labels: hedged };
  if (letter) {
    if (valid.has(letter)) return { kind: 'choice', label: letter, via: 'letter' };
    if (span.length <= 3) return { kind: 'out-of-set', label: letter };
  }
  const t = byText(span, choices);
  if (t) return { kind: 'choice', label: t, via: 'text' };
  // "The answer is: Unsafe practices ... (I)" -> a single bracketed letter later in the statement.
  const bracketed = [...span.matchAll(/\(([A-Z])\)/g)].map((m) => m[1] ?? '').filter((l) => valid.has(l));
  const distinct = [...new Set(bracketed)];
  if (distinct.length === 1 && distinct[0]) return { kind: 'choice', label: distinct[0], via: 'letter' };
  return { kind: 'none' };
}
