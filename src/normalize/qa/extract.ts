import { asciiDigits } from '../digits.js';
import { stripChatResidue } from '../text.js';
import { readAroundLostBytes } from '../lost-bytes.js';
import type { AbstentionReason } from '../types.js';
import type { Choice, QaAnswerType } from '../../task/schema.js';
import { answerRegion, cleanSpan, correctionFirst, finalAnswerSpans, type FinalMarker } from './final-answer.js';
import { readChoice } from './multiple-choice.js';
import { unusableJsonAnswer, unwrapJsonAnswer } from './json-answer.js';
import { decimalMark, delatex, findNumbers, numberKey, parseNumberAnswer, type ParsedNumber } from './numbers.js';
import { endsInProse, isProgram, proseOf } from './program.js';
import { answerTokens, normalizeAnswer } from './squad-normalize.js';

/** How an answer was read, for auditing the extractor on real outputs. */
export type QaReadMethod = FinalMarker | 'bare' | 'choice-text' | 'last-number' | 'whole';

export type QaReading =
  | {
      kind: 'answer';
      /** The answer as stated (a span of the output, or the whole output for sentence answers). */
      text: string;
      /** Canonical key: equal keys are the same answer (choice label, number key, or SQuAD-normalized text). */
      key: string;
      method: QaReadMethod;
      number?: ParsedNumber;
      /** The choice label for multiple-choice answers. */
      choice?: string;
    }
  | { kind: 'abstain'; reason: AbstentionReason; detail?: string };

export interface QaContext {
  answerType: QaAnswerType;
  choices?: readonly Choice[];
}

/** Free-form answers up to this many SQuAD tokens count as short answers (spans, not sentences). */
export const SHORT_ANSWER_MAX_TOKENS = 6;

const REFUSAL = /^\s*(?:i'?m sorry|i am sorry|sorry[,.]|i (?:cannot|can'?t|am unable to|do not know|don'?t know)|as an ai\b[^.]*\b(?:cannot|can'?t|unable|don'?t|do not))/i;
// The same words with every word capitalised open a title (`I Can't Take My Eyes Off of You: ...`), not a refusal.
const TITLE_OPENING = /^\s*(?:I'?m Sorry|I Am Sorry|I (?:Cannot|Can'?t|Am Unable To|Do Not Know|Don'?t Know))\s+\p{Lu}/u;

/** Whether the answer opens by declining: sentence case, not a title that happens to start with the same words. */
function opensWithRefusal(text: string): boolean {
  return REFUSAL.test(text) && !TITLE_OPENING.test(text);
}

function abstain(reason: AbstentionReason, detail?: string): QaReading {
  return detail === undefined ? { kind: 'abstain', reason } : { kind: 'abstain', reason, detail };
}

/**
 * How a reader reads: `stated` only takes an answer the output states (a marked final answer), never
 * a bare letter, the last number or the whole text: what is left to read of a program is its prose.
 */
interface ReadMode {
  stated: boolean;
}

const TWO_LETTERS = /^[\s*]*\(?[A-Z]\)?\s+(?:or|and|and\/or)\s+\(?[A-Z]\)?[\s*.]*$/;

function readMultipleChoice(output: string, choices: readonly Choice[], mode: ReadMode): QaReading {
  const { region } = answerRegion(output);
  for (const span of correctionFirst(finalAnswerSpans(region, true), region)) {
    const r = readChoice(span.text, choices);
    if (r.kind === 'choice') return { kind: 'answer', text: r.label, key: r.label, choice: r.label, method: r.via === 'text' ? 'choice-text' : span.marker };
    if (r.kind === 'ambiguous') return abstain('ambiguous', `hedges between ${r.labels.join(' and ')}`);
    if (r.kind === 'out-of-set') return abstain('out-of-set', `choice ${r.label} is not offered`);
  }
  // A short answer with no marker at all: "B", "(B)", "B) Anger", "**B. Paris**", or a choice's text.
  const trimmed = region.trim();
  if (!mode.stated && trimmed.length <= 200 && !trimmed.includes('\n\n')) {
    const line = trimmed.split('\n')[0] ?? '';
    // A bare letter must look like one ("B", "(B)", "B)", "B."), not the article of "A remote Trojan".
    // Two letters and nothing else (`B or C`, `B and C`) hedge between two choices.
    const article = /^[\s*]*[A-Z](?:\s|$)(?![.):])/.test(line) && !/^[\s*]*[A-Z]\s*$/.test(line) && !TWO_LETTERS.test(line);
    const r = article ? { kind: 'none' as const } : readChoice(line, choices);
    if (r.kind === 'choice') return { kind: 'answer', text: r.label, key: r.label, choice: r.label, method: r.via === 'text' ? 'choice-text' : 'bare' };
    if (r.kind === 'ambiguous') return abstain('ambiguous', `hedges between ${r.labels.join(' and ')}`);
    if (r.kind === 'out-of-set') return abstain('out-of-set', `choice ${r.label} is not offered`);
  }
  return abstain('no-label', 'no final choice stated');
}

function numberReading(n: ParsedNumber, text: string, method: QaReadMethod): QaReading {
  return { kind: 'answer', text, key: numberKey(n.value), number: n, method };
}

/** Two different values offered as alternatives ("35 or 36"). */
function hedgedNumbers(span: string): boolean {
  const plain = delatex(span);
  const nums = findNumbers(plain);
  for (let k = 0; k + 1 < nums.length; k++) {
    const a = nums[k];
    const b = nums[k + 1];
    if (a && b && a.value !== b.value && /^[^\d=+*×]{0,25}$/.test(plain.slice(a.end, b.start)) && /\bor\b/i.test(plain.slice(a.end, b.start))) {
      return true;
    }
  }
  return false;
}

/**
 * A box, `####` or `ans =` line is a deliberate final answer; "the answer is" also turns up
 * mid-reasoning ("so the answer is 1000 + 350 = 1350 pesos ... Answer: \boxed{250}"). Numeric
 * answers read the LAST deliberate one when there is one (a model that boxes a step and then its
 * result, or corrects itself, commits to the last), else the first "answer is".
 */
function byStrength(spans: ReturnType<typeof finalAnswerSpans>, region: string): ReturnType<typeof finalAnswerSpans> {
  const strong = spans.filter((s) => s.marker === 'boxed' || s.marker === 'hashes' || s.marker === 'ans-line').reverse();
  const rest = correctionFirst(spans.filter((s) => !strong.includes(s)), region);
  return [...strong, ...rest];
}

/** A canonical key for a symbolic answer (`\\frac{\\sqrt{3}}{2}`, `2^{10}`, `3\\pi`), or null for plain numbers and prose. */
export function symbolicKey(span: string): string | null {
  const t = span.replace(/\\(?:text|mathrm|textbf)\s*\{[^{}]*\}/g, ' ');
  if (!/\\(?:sqrt|pi|infty|cdot|times|ln|log|sin|cos|tan)|\^|\\frac\s*\{[^{}]*[a-z\\][^{}]*\}|(?:^|[^a-z])[a-z]\s*[+\-*/^]|[+\-*/^]\s*[a-z](?:[^a-z]|$)/i.test(t)) return null;
  return `expr:${t.replace(/\\[dt]frac/g, '\\frac').replace(/\\left|\\right|\$|\s+/g, '').toLowerCase()}`;
}

// An operator after a number, an `=`, or an opening bracket after an operator: not a `/` that ends
// a link (`https://example.com/`) or a `-` after a word.
const ENDS_MID_EXPRESSION = /(?:[\d)]\s*[-+*/×÷]|=|[-+*/×÷=]\s*\()\s*\uFFFD?\s*$/;

function readNumeric(output: string, mode: ReadMode): QaReading {
  const { region } = answerRegion(output);
  // `276.000` in an answer that writes `0,05` is 276000: the whole answer says how it writes numbers.
  const mark = decimalMark(region);
  for (const span of byStrength(finalAnswerSpans(region), region)) {
    if (hedgedNumbers(span.text)) return abstain('ambiguous', `hedges: ${span.text.slice(0, 60)}`);
    const n = parseNumberAnswer(span.text, mark);
    // Only a box is trusted to hold an expression; prose spans mix words and operators.
    const expr = span.marker === 'boxed' ? symbolicKey(span.text) : null;
    // "\sqrt{2}" or "2^{10}" is an expression, not the number 2: it is compared as written.
    if (expr !== null && !(n && /=/.test(span.text))) return { kind: 'answer', text: cleanSpan(span.text), key: expr, method: span.marker };
    if (n) return numberReading(n, cleanSpan(span.text), span.marker);
  }
  if (mode.stated) return abstain('no-label', 'no number stated');
  // Reasoning that stops inside an expression (`= 123.84 + (`) never reached its result: its last
  // number is a step, not an answer.
  if (ENDS_MID_EXPRESSION.test(region)) return abstain('no-label', 'the answer stops inside an expression, before any result');
  const nums = findNumbers(region, mark);
  // Digits over number words: "35 miles in seven days" answers 35.
  const digits = nums.filter((n) => /\d/.test(delatex(region).slice(n.start, n.end)));
  const last = (digits.length > 0 ? digits : nums)[(digits.length > 0 ? digits : nums).length - 1];
  if (last) return numberReading(last, delatex(region).slice(last.start, last.end).trim(), 'last-number');
  return abstain('no-label', 'no number stated');
}

function readFreeForm(output: string, mode: ReadMode): QaReading {
  const { region } = answerRegion(output);
  if (opensWithRefusal(region) && !/\b(?:however|but|although|though)\b/i.test(region) && answerTokens(region).length <= 40) return abstain('refusal');
  const span = correctionFirst(finalAnswerSpans(region), region)[0];
  if (!span && mode.stated) return abstain('no-label', 'no answer stated');
  const text = span ? cleanSpan(span.text) : region.trim();
  const norm = normalizeAnswer(text);
  if (norm === '') return abstain('empty');
  const method: QaReadMethod = span ? span.marker : 'whole';
  const toks = norm.split(' ');
  if (toks.length <= SHORT_ANSWER_MAX_TOKENS) {
    const n = parseNumberAnswer(text);
    // A short answer that is just a number ("291", "291 episodes") groups by value.
    if (n && toks.filter((t) => !/^\d/.test(t)).length <= 1) return { kind: 'answer', text, key: `#${numberKey(n.value)}`, number: n, method };
  }
  return { kind: 'answer', text, key: norm, method };
}

function read(output: string, ctx: QaContext, mode: ReadMode): QaReading {
  const reading = readAs(output, ctx, mode);
  // A model that declines and states no answer refused, whatever the answer type: the report counts
  // it as a refusal, not as an answer the reader failed to find.
  if (reading.kind === 'abstain' && reading.reason === 'no-label' && opensWithRefusal(answerRegion(output).region)) return abstain('refusal');
  return reading;
}

function readAs(output: string, ctx: QaContext, mode: ReadMode): QaReading {
  switch (ctx.answerType) {
    case 'multiple-choice':
      return readMultipleChoice(output, ctx.choices ?? [], mode);
    case 'numeric':
      return readNumeric(output, mode);
    case 'free-form':
      return readFreeForm(output, mode);
  }
}

/**
 * Reads one raw output as an answer of the task's type, or an abstention with a reason:
 * `empty`, `no-label` (no answer found), `ambiguous` (hedges between answers), `out-of-set`
 * (a choice that is not offered), `refusal`, `unexecuted-code` (a program that computes the answer
 * but was never run, with no answer stated in prose), `encoding` (the answer depends on characters
 * lost in decoding: lost-bytes.ts). A structured output ({"answer": ...}) is read
 * by its answer field; chat-template residue around the output is dropped first.
 */
export function extractQaAnswer(raw: string, ctx: QaContext): QaReading {
  return readAroundLostBytes(raw, (text) => extractFrom(text, ctx), {
    same: (a, b) => (a.kind === 'answer' ? b.kind === 'answer' && a.key === b.key : b.kind === 'abstain' && a.reason === b.reason),
    abstain: (detail) => abstain('encoding', detail),
    answers: (ctx.choices ?? []).map((c) => c.label),
  });
}

function extractFrom(written: string, ctx: QaContext): QaReading {
  const raw = asciiDigits(written);
  const unusable = unusableJsonAnswer(raw);
  if (unusable !== undefined) return abstain('no-label', unusable);
  const output = stripChatResidue(unwrapJsonAnswer(raw));
  if (output.trim() === '') return abstain('empty');
  if (!isProgram(output)) return read(output, ctx, { stated: false });
  // Only its prose can answer: read as any answer when the author concluded in words, else only a marked statement.
  const stated = read(proseOf(output), ctx, { stated: !endsInProse(output) });
  return stated.kind === 'answer' ? stated : abstain('unexecuted-code', 'a program that was never run, with no answer stated outside it');
}
