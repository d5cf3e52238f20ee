/**
 * Finds the final answer a reasoning chain commits to: `\boxed{...}`, `#### 42`, a last line
 * `ans = 42`, `The answer is (X)`, `Answer: ...`. Base models given few-shot prompts keep writing
 * invented follow-up questions (`Question: ... The answer is (A).`) after their own answer: the
 * answer region ends at the first such follow-up. An `Answer:` that opens the output and is followed
 * by reasoning is the start of the worked answer, not its result: any later statement wins over it.
 */

import { correctsEarlier } from '../verdict.js';

export type FinalMarker = 'boxed' | 'hashes' | 'ans-line' | 'answer-is' | 'answer-label';

export interface FinalAnswerSpan {
  /** The text the marker introduces, up to the end of its sentence (or the box's content). */
  text: string;
  marker: FinalMarker;
  /** Offset of the marker in the answer region. */
  start: number;
}

// A new question the model invented: "Question:", "Q:", "Problem 2:" at the start of a line.
const FOLLOW_UP = /\n[ \t]*(?:#+\s*)?(?:Question|Q|Problem|Exercise)\s*\d*\s*[:.]/g;
/** Non-space characters that must precede a follow-up marker for it to count (a restated question at the very start is not a follow-up). */
const MIN_ANSWER_CHARS = 15;
// What an invented few-shot question looks like after its marker: its own options or answer cue.
const LOOKS_LIKE_NEW_QUESTION = /\n[ \t]*(?:Options\s*:|\(?[A-D][.)]\s|A:|Answer\s*:)/;

/**
 * The part of the output that answers the question asked, without invented follow-up questions.
 * A `Question:`/`Q:` line starts a follow-up when the model already stated an answer before it, or
 * when what follows looks like a new few-shot question (options, an `A:`/`Answer:` cue); otherwise
 * it is the model's own heading ("Question 6:") and stays.
 */
export function answerRegion(output: string): { region: string; cut: boolean } {
  for (const m of output.matchAll(FOLLOW_UP)) {
    const at = m.index ?? 0;
    const before = output.slice(0, at);
    if (before.replace(/\s+/g, '').length < MIN_ANSWER_CHARS) continue;
    const after = output.slice(at + m[0].length, at + m[0].length + 2000);
    if (finalAnswerSpans(before).length > 0 || LOOKS_LIKE_NEW_QUESTION.test(after)) return { region: before, cut: true };
  }
  return { region: output, cut: false };
}

/** Content of a balanced `{...}` starting at `open` (the index of `{`), or null when unbalanced. */
function braced(text: string, open: number): { inner: string; end: number } | null {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return { inner: text.slice(open + 1, i), end: i + 1 };
    }
  }
  return null;
}

// Up to the end of the sentence: a period followed by space/end (not a decimal point), a newline, or the end.
const SENTENCE_REST = String.raw`([^\n]*?)(?=\.(?:\s|$)|\n|$)`;
const answerIs = (nouns: string): RegExp =>
  new RegExp(
    String.raw`\b(?:the\s+|my\s+|so\s+the\s+|thus\s+the\s+)?(?:final\s+|correct\s+|right\s+|best\s+)?(?:${nouns})\s*(?:is|would\s+be|will\s+be|should\s+be|=)\s*:?\s*` + SENTENCE_REST,
    'gi',
  );
// "The correct option is C" states a choice; in open answers "another option is to shout" does not.
const ANSWER_IS_CHOICE = answerIs('answer|option|choice');
const ANSWER_IS = answerIs('answer');
const ANSWER_LABEL = new RegExp(String.raw`(?:^|\n)[ \t*#]*(?:final\s+)?answer\s*[:：]\s*` + SENTENCE_REST, 'gi');
// GSM8K's `#### 72`; a Markdown heading (`#### Step 1: ...`) starts with a word and is no answer.
const HASHES = /####[ \t]*(?![ \t]*\p{L})([^\n]*)/gu;
// The last line of a worked answer in the `ans = 18` convention (program-of-thought prompts' chain-of-thought twin).
const ANS_LINE = /(?:^|\n)[ \t]*ans[ \t]*=[ \t]*([^\n]*)/g;

/** Every final-answer statement in the region, in order of appearance. `choices`: also "the option is X". */
export function finalAnswerSpans(region: string, choices = false): FinalAnswerSpan[] {
  const spans: FinalAnswerSpan[] = [];
  for (const m of region.matchAll(/\\(?:boxed|fbox)\s*\{/g)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    const b = braced(region, open);
    if (b) spans.push({ text: b.inner, marker: 'boxed', start: m.index ?? 0 });
  }
  for (const m of region.matchAll(HASHES)) spans.push({ text: (m[1] ?? '').trim(), marker: 'hashes', start: m.index ?? 0 });
  for (const m of region.matchAll(ANS_LINE)) spans.push({ text: (m[1] ?? '').trim(), marker: 'ans-line', start: m.index ?? 0 });
  for (const m of region.matchAll(choices ? ANSWER_IS_CHOICE : ANSWER_IS)) {
    const text = (m[1] ?? '').trim();
    // "the answer is \boxed{5}": the box is the same statement, keep one span.
    if (/^\$*\\(?:boxed|fbox)\s*\{/.test(text)) continue;
    spans.push({ text, marker: 'answer-is', start: m.index ?? 0 });
  }
  for (const m of region.matchAll(ANSWER_LABEL)) {
    const text = (m[1] ?? '').trim();
    if (/^let'?s think/i.test(text) || /^\$*\\(?:boxed|fbox)\s*\{/.test(text)) continue;
    spans.push({ text, marker: 'answer-label', start: m.index ?? 0 });
  }
  spans.sort((a, b) => a.start - b.start);
  const stated = spans.filter((s) => s.text !== '');
  // An `Answer:` followed by more lines of reasoning and a later statement opens the worked answer.
  const opening = stated.filter((s, k) => s.marker === 'answer-label' && k < stated.length - 1 && /\n\s*\S/.test(region.slice(s.start + 1, stated[k + 1]?.start)));
  return opening.length === 0 ? stated : [...stated.filter((s) => !opening.includes(s)), ...opening];
}

/** Strips the decoration around a stated answer: Markdown emphasis, `$`, quotes, a trailing period. */
export function cleanSpan(text: string): string {
  let t = text.trim();
  for (let k = 0; k < 3; k++) {
    const b = /^\\(?:boxed|fbox)\s*\{/.exec(t);
    if (b) {
      const inner = braced(t, b[0].length - 1);
      if (inner) t = inner.inner + t.slice(inner.end);
    }
  }
  return t
    .replace(/\\(?:text|textbf|mathrm|mathbf|textit)\s*\{([^{}]*)\}/g, '$1')
    .replace(/\*\*|__|`/g, '')
    .replace(/^[\s"'“”‘’$:]+|[\s"'“”‘’$.,;:!]+$/g, '')
    .trim();
}

/**
 * The statements with a later one that corrects those before it first (`The answer is 12. Actually,
 * wait, the answer is 13.`): a careful reader takes the corrected answer, as the classification
 * reader does (verdict.ts's correction words, in the sentence of the later statement).
 */
export function correctionFirst(spans: readonly FinalAnswerSpan[], region: string): FinalAnswerSpan[] {
  if (spans.length < 2) return [...spans];
  const lower = region.toLowerCase();
  for (let k = spans.length - 1; k > 0; k--) {
    const s = spans[k] as FinalAnswerSpan;
    if (correctsEarlier(lower, s.start)) return [s, ...spans.filter((x) => x !== s)];
  }
  return [...spans];
}
