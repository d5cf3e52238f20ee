import { parsedJsonCandidate } from '../../normalize/json-answer.js';
import { decimalMark, delatex, findNumbers, type DecimalMark, type ParsedNumber } from '../../normalize/qa/numbers.js';
import { asciiDigits } from '../../normalize/digits.js';
import { readAroundLostBytes } from '../../normalize/lost-bytes.js';
import { isRefusal } from '../../normalize/refusal.js';
import { endOfAnswer, stripChatResidue } from '../../normalize/text.js';
import type { AbstentionReason } from '../../normalize/types.js';
import { formatScale, isValidScale, onScale, type Scale } from './scale.js';

/**
 * How a score was read: `json` (a score key of a JSON answer), `fraction` (`7/10`, `4.5 out of 5`,
 * `85%`), `range` (`85-90`: its midpoint), `phrase` (after a score statement: `Score: 7`, `I would
 * give it a score of 85`), `bold` (`**4**`), `word` (`four`, after a score statement or alone),
 * `number` (the answer is the number, opens with it, or ends with it on a line of its own).
 */
export type ScoreReadMethod = 'json' | 'fraction' | 'range' | 'phrase' | 'bold' | 'word' | 'number';

export type ScoreReading =
  | { kind: 'score'; score: number; method: ScoreReadMethod }
  | { kind: 'abstain'; reason: AbstentionReason; detail?: string };

/**
 * Reads the score a judge gave in free text, on the task's scale.
 *
 * Which number is the score: a number stated as a score (after `score`, `rating`, `rate`, `give`,
 * `overall`..., in bold, or as a fraction over the scale's maximum) wins over a number merely
 * mentioned, and among stated scores the last one wins: judges reason first and conclude last, and a
 * correction (`Score: 3 ... on reflection, Score: 4`) comes after what it corrects. Numbered list
 * markers (`1. Accuracy`) and the scale's own bounds (`on a scale of 0 to 100`) are never scores.
 * With no stated score, an answer that is a number, opens with one or ends with one alone on its
 * line is read as that number (`95`, `95\n\nThe translation ...`). A box (`\boxed{4}`) states a score
 * as bold does; stars drawn as the rating are their count (`★★★★☆` is `4/5`); a range (`85-90`) or a
 * hedge between two scores (`4 or 5`) is its midpoint, never its first end.
 *
 * Fractions: `N/D` with D the scale's maximum is N. With another D the judge scored on its own
 * scale; when both scales start at 0 the share N/D of the maximum maps onto the task's scale alone
 * (`8.5/10` on 0-100 is 85). When the task's scale starts elsewhere the mapping is ambiguous (`8/10`
 * on 1-5: was the judge's bottom 0 or 1? 4.0 or 4.1?) and the answer abstains as `out-of-scale`
 * rather than guessing. A score outside the scale (`10` on 1-5, `-3`, `1e9`) abstains as
 * `out-of-scale`: it is not clipped, since the judge answered another question than the one asked.
 *
 * Abstentions: `empty`, `refusal` (no score, and the judge declined), `no-score`, `out-of-scale`,
 * `encoding` (the score depends on characters lost in decoding: lost-bytes.ts).
 */
export function readScore(output: string, scale: Scale): ScoreReading {
  if (!isValidScale(scale)) throw new RangeError(`readScore: invalid scale ${JSON.stringify(scale)} (need finite min < max)`);
  return readAroundLostBytes(output, (text) => readScoreIn(text, scale), {
    same: (a, b) => (a.kind === 'score' ? b.kind === 'score' && a.score === b.score : b.kind === 'abstain' && a.reason === b.reason),
    abstain: (detail) => ({ kind: 'abstain', reason: 'encoding', detail }),
  });
}

function readScoreIn(written: string, scale: Scale): ScoreReading {
  const output = asciiDigits(written);
  if (output.trim() === '') return { kind: 'abstain', reason: 'empty' };
  const json = readJsonScore(output, scale);
  if (json) return json;
  const text = prepare(output);
  const chosen = chooseScore(text, scale);
  if (chosen === undefined) {
    return isRefusal(text) || DECLINES_TO_SCORE.test(text.toLowerCase()) ? { kind: 'abstain', reason: 'refusal' } : { kind: 'abstain', reason: 'no-score' };
  }
  return onTheScale(chosen, scale);
}

/** A judge saying it will not score (`it is not possible to give a score`), beside the refusals any answer can make. */
const DECLINES_TO_SCORE = /\b(?:cannot|can't|can not|unable to|not possible to|impossible to|won't|will not|decline to)\b[^.\n]{0,40}\b(?:score|rate|rating|grade|evaluate|assess)/;

/** JSON keys under which judges put their score, in order of preference. */
const SCORE_KEYS = ['score', 'overall_score', 'overallScore', 'final_score', 'finalScore', 'overall', 'rating', 'overall_rating', 'final_rating', 'grade', 'total_score'];

/** The score of a JSON (or fenced JSON) answer, when it has a score key; undefined otherwise. */
function readJsonScore(output: string, scale: Scale): ScoreReading | undefined {
  const raw = parsedJsonCandidate(output);
  if (raw === undefined) return undefined;
  const value = scoreValueOf(raw) ?? unusableScoreOf(raw);
  if (value === undefined) return undefined;
  if (typeof value === 'object') return { kind: 'abstain', reason: 'no-score', detail: value.unusable };
  if (typeof value === 'number') return onTheScale({ value, method: 'json' }, scale);
  // A string value (`"4"`, `"4/5"`) is read as a one-line answer, keeping `json` as how it was found.
  const inner = chooseScore(prepare(value), scale);
  if (inner === undefined) return { kind: 'abstain', reason: 'no-score', detail: `JSON score "${value.slice(0, 40)}" is not a number` };
  return onTheScale({ ...inner, method: 'json' }, scale);
}

function scoreValueOf(raw: unknown, depth = 0): number | string | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || depth > 1) return undefined;
  const entries = Object.entries(raw as Record<string, unknown>);
  const byKey = new Map(entries.map(([k, v]) => [k.toLowerCase(), v]));
  for (const key of SCORE_KEYS) {
    const v = byKey.get(key.toLowerCase());
    if (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '')) return v;
  }
  // One level of nesting: {"evaluation": {"score": 4, "reason": "..."}}.
  for (const [, v] of entries) {
    const inner = scoreValueOf(v, depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/**
 * A score key present with no score in it (`"score": null`, `"score": [4, 5]`), when no key holds
 * one: the judge stated no single score. Read as prose, the JSON's text would give whichever number
 * it holds first (or one from its reasoning), a score the judge did not give.
 */
function unusableScoreOf(raw: unknown): { unusable: string } | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!SCORE_KEYS.some((key) => key.toLowerCase() === k.toLowerCase())) continue;
    if (v === null || Array.isArray(v)) return { unusable: `JSON "${k}" is ${v === null ? 'null' : 'a list'}, not one score` };
  }
  return undefined;
}

/** A run of two or more stars, filled (`★`, `⭐`) and empty (`☆`): a rating drawn rather than written. */
const STARS = /[\u2605\u2606\u2B50]\uFE0F?(?:[ \u200A]?[\u2605\u2606\u2B50]\uFE0F?)+/g;

/**
 * The score a run of stars draws: the filled ones, out of all of them when some are empty
 * (`★★★★☆` is `4/5`), else their count (`⭐⭐⭐⭐` is `4`). A single star is a bullet or decoration.
 */
function starScore(run: string): string {
  const filled = (run.match(/[\u2605\u2B50]/g) ?? []).length;
  const empty = (run.match(/\u2606/g) ?? []).length;
  return empty > 0 ? ` ${filled}/${filled + empty} ` : ` ${filled} `;
}

/**
 * The answer as text to read: the answer proper (hidden reasoning and invented next turns cut), in
 * Unicode compatibility form, LaTeX numbers unwrapped, one kind of dash. Markdown marks become
 * spaces (length kept, so bold spans found before stay where they were).
 */
function prepare(output: string): string {
  return delatex(
    endOfAnswer(stripChatResidue(output))
      .replace(/<think(?:ing)?>[\s\S]*?<\/think(?:ing)?>/gi, ' ')
      .replace(STARS, starScore)
      .normalize('NFKC'),
  )
    // A box states the answer as bold does: `\boxed{4}`.
    .replace(/\\(?:boxed|fbox)\s*\{([^{}]{0,60})\}/g, '**$1**')
    .replace(/(\d)[\u00a0\u202f\u2009](?=\d{3}(?!\d))/g, '$1')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\r\n?/g, '\n');
}

/** A score as found, before it is put on the scale. */
interface Found {
  value: number;
  method: ScoreReadMethod;
  /** `N/D`: the judge's own maximum D, when it named one. */
  denominator?: number;
  /** The judge named its own scale before the score (`on a scale of 1 to 10`), when it differs from the task's. */
  ownScale?: Scale;
}

/** Puts a found score on the task's scale, or abstains. */
function onTheScale(found: Found, scale: Scale): ScoreReading {
  let { value } = found;
  const detail = (what: string): ScoreReading => ({ kind: 'abstain', reason: 'out-of-scale', detail: `${what}; the scale is ${formatScale(scale)}` });
  if (found.denominator !== undefined && found.denominator !== scale.max) {
    // The share of the judge's maximum maps onto the task's scale only when both start at 0.
    if (scale.min !== 0 || !(found.denominator > 0)) return detail(`scored ${numberText(value)}/${numberText(found.denominator)}, on another scale`);
    value = (value / found.denominator) * scale.max;
  } else if (found.denominator === undefined && found.ownScale) {
    const own = found.ownScale;
    if (scale.min !== 0 || own.min !== 0) return detail(`scored ${numberText(value)} on the judge's own scale ${formatScale(own)}`);
    value = (value / own.max) * scale.max;
  }
  if (!Number.isFinite(value) || !onScale(value, scale)) return detail(`score ${numberText(value)}`);
  return { kind: 'score', score: value, method: found.method };
}

function numberText(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(12))) : String(value);
}

/** A number of the answer that could be its score. */
interface Candidate {
  value: number;
  start: number;
  end: number;
  word: boolean;
  denominator?: number;
  /** A range `85-90` (value = its midpoint). */
  range?: boolean;
  /** `85%`: a share of 100, read as a score only where a score is stated. */
  percent?: boolean;
}

// Words by which a judge states its score; the number after one of them (in the same sentence, no
// other number between) is a stated score.
const SCORE_CUE = /\b(?:scores?|scored|scoring|rating|ratings|rate|rated|grade|graded|verdict|assign(?:ed)?|award(?:ed)?|give|gives|giving|gave|deserves?|merits?)\b/;
// Words that state a score only right before it: `overall: 90`, `I would estimate it at 85`, `the quality is around 70`.
const NEAR_CUE =
  /\b(?:overall|final|total|estimate[sd]?|evaluate[sd]?|assess(?:ed)?|judge[sd]?|put|quality)\b[^.\d\n]{0,60}?(?:\b(?:as|at|to be|is|be|of)|[:=-])\s*(?:(?:around|about|approximately|roughly|perhaps|a|an)\s+)*$|\b(?:i would|i'd|i) say\s*(?:(?:around|about|a|an)\s+)?$|\bscale\s*[:=]\s*$/;
// A statement that no score is given: `I cannot give a score`, `not possible to rate`.
const NEGATION = /\b(?:cannot|can't|can not|unable|not possible|impossible|won't|will not|wouldn't|would not|without)\b/;
// A number word (or a percentage) counts only right after a score statement: `a score of four`, `I'd give it a four`, `rated 85%`.
const WORD_CUE = /(?:\b(?:scores?|rating|grade|verdict|overall)\b\s*(?:of|is|would be|will be|=|:|-)?|\b(?:rate|rated|give|gave|award|assign)(?: (?:it|this|that|the|my)(?: \w+)?)?(?: as)?)\s*(?:an?\s+)?$/;

/** The score the text states, if any (not yet put on the scale). */
function chooseScore(marked: string, scale: Scale): Found | undefined {
  const bold = boldSpans(marked);
  // Markdown marks become spaces, so offsets stay where the bold spans were found.
  const text = marked.replace(/[*_`#]/g, ' ');
  const mark = decimalMark(text);
  // A number glued to letters (`9.30am`, `2nd`, `1e9`) is not a score; a match may start at the space before it.
  const numbers = findNumbers(text, mark)
    .map((n) => ({ ...n, start: n.start + (/^\s*/.exec(text.slice(n.start, n.end))?.[0].length ?? 0) }))
    .filter((n) => !/[A-Za-z]/.test(text[n.end] ?? '') && !/[A-Za-z]/.test(text[n.start - 1] ?? ''));
  const lower = text.toLowerCase();
  const lines = lineBounds(text);
  const candidates: Candidate[] = [];
  let ownScale: Scale | undefined;
  const ownScaleAt: (Scale | undefined)[] = [];
  for (let i = 0; i < numbers.length; i++) {
    const a = numbers[i] as ParsedNumber;
    const word = !/\d/.test(text.slice(a.start, a.end));
    let c = candidateOf(a, text, mark, word);
    const b = numbers[i + 1];
    if (b && !word && c.denominator === undefined) {
      const gap = lower.slice(a.end, b.start);
      const bValue = Math.abs(b.value);
      const before = lower.slice(Math.max(0, a.start - 30), a.start);
      const rangeGap = (/^\s*$/.test(gap) && text[b.start] === '-') || /^\s*(?:-|to)\s*$/.test(gap);
      const bounds = a.value === scale.min && bValue === scale.max;
      if (/^\s*out of\s*$/.test(gap) && b.value > 0) {
        c = { ...c, end: b.end, denominator: b.value };
        i++;
      } else if ((rangeGap || /^\s*and\s*$/.test(gap)) && a.value >= 0 && bValue > a.value && (bounds ? /\b(?:scale|range|from|between)\b[^.\n\d]{0,20}$|[(\[]\s*$/.test(before) || rangeGap : /\b(?:scale|range)\b[^.\n\d]{0,20}$/.test(before))) {
        // The scale's own bounds, or the judge's own scale when it names one that differs from the task's.
        if (!bounds) ownScale = { min: a.value, max: bValue };
        i++;
        continue;
      } else if ((rangeGap || /^\s*or\s*$/.test(gap)) && a.value >= 0 && bValue > a.value) {
        // A range as the score (`85-90`, `85 to 90 out of 100`), or a hedge between two (`4 or 5`):
        // its midpoint. Never the first of the two, which the judge did not prefer.
        const bCandidate = candidateOf({ ...b, value: bValue }, text, mark, false);
        c = { value: (a.value + bCandidate.value) / 2, start: a.start, end: b.end, word: false, range: true, ...(bCandidate.denominator !== undefined ? { denominator: bCandidate.denominator } : {}) };
        i++;
        const d = numbers[i + 1];
        if (d && c.denominator === undefined && /^\s*out of\s*$/.test(lower.slice(b.end, d.start)) && d.value > 0) {
          c = { ...c, end: d.end, denominator: d.value };
          i++;
        }
      }
    }
    if (isListMarker(c, text, lines)) continue;
    candidates.push(c);
    ownScaleAt.push(ownScale);
  }

  // Each candidate's weight as a verdict: 2 a verdict line (`Score: 4`, `95/100` or `95` alone on the
  // answer's first or last line, `Overall quality: 98 (...)`) or bold; 1 a score stated in a sentence
  // (`I would give it a score of 85`, `... 95 out of 100`); 0 a number that opens the answer
  // (`95. The translation ...`). The last candidate of the highest weight is the verdict.
  let best = -1;
  let bestLevel = -1;
  let bestMethod: ScoreReadMethod = 'number';
  let lastDigitEnd = 0;
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k] as Candidate;
    // A digit's score statement lies after the number before it in its sentence; a word's is right before it.
    const sentence = sentenceStart(text, c.start);
    const clause = lower.slice(sentence, c.start);
    const prefix = c.word ? clause : lower.slice(Math.max(sentence, lastDigitEnd), c.start);
    if (!c.word) lastDigitEnd = c.end;
    const shape: ScoreReadMethod = c.word ? 'word' : c.range ? 'range' : c.denominator !== undefined && !c.percent ? 'fraction' : 'number';
    let level = -1;
    let method: ScoreReadMethod = shape;
    if (HYPOTHETICAL.test(clause) && !c.word) {
      // `This would result in a score of 100`: a score the judge did not give.
    } else if (bold.some(([s, e]) => c.start >= s && c.end <= e)) {
      level = 2;
      method = 'bold';
    } else if (verdictLine(c, text, lower, lines)) {
      level = 2;
      if (shape === 'number' && !aloneOnLine(c, text, lines)) method = 'phrase';
    } else if (c.word || c.percent ? WORD_CUE.test(prefix) : statedScore(prefix) || (shape === 'fraction' && c.denominator === scale.max)) {
      level = 1;
      if (shape === 'number') method = 'phrase';
    } else if (k === 0 && !c.word && /^[\s"'([]*$/.test(text.slice(0, c.start)) && /^(?:\s*$|[.,:;!)]?\s)/.test(text.slice(c.end))) {
      level = 0;
    }
    if (level >= 0 && level >= bestLevel) {
      best = k;
      bestLevel = level;
      bestMethod = method;
    }
  }
  // One label and one number (`Coherence: 4`, the criterion asked about): nothing else to choose from.
  if (best < 0 && candidates.length === 1 && !candidates[0]?.word) {
    const only = candidates[0] as Candidate;
    const [start] = lines.bounds[lineAt(lines, only.start)] as [number, number];
    if (/^\s*[a-z][a-z ]{0,30}:\s*$/.test(lower.slice(start, only.start))) {
      best = 0;
      bestMethod = 'phrase';
    }
  }
  if (best < 0) return undefined;
  const c = candidates[best] as Candidate;
  const own = ownScaleAt[best];
  return { value: c.value, method: bestMethod, ...(c.denominator !== undefined ? { denominator: c.denominator } : {}), ...(own ? { ownScale: own } : {}) };
}

// A score in a conditional or counterfactual clause is not the one given: `This would result in a
// score of 100`, `(The score would then be 100/100.)`, `which would score a perfect 100`.
const HYPOTHETICAL =
  /\b(?:if(?! i (?:had|have|were|was) to)|then|could|might|otherwise|would (?:result|bring|raise|increase|improve|earn|deserve|warrant|merit|lead|make|have|get|receive|push|move|lift)|(?:which|that|this|it) would|to (?:reach|achieve|get|earn) (?:a|the))\b/;
// What may stand before the score on a verdict line: `Score:`, `Final rating =`, `Overall quality:`.
const VERDICT_LABEL =
  /^\s*(?:[-\u2022>]\s*)?(?:(?:my |the )?(?:final|overall|total)\s*)?(?:(?:quality|translation|overall)\s+)?(?:score|rating|grade|verdict|mark|assessment|evaluation|quality|overall|answer)\s*(?:\([^)\n]{0,20}\))?\s*(?:[:=-]|is)\s*$/;

/** [start, end) of each line of the text, and the first and last lines with something on them. */
interface Lines {
  bounds: [number, number][];
  first: number;
  last: number;
  /** The numbers that open a line as a list marker would (`2. `, `3)`). */
  markers: Set<number>;
}

function lineBounds(text: string): Lines {
  const bounds: [number, number][] = [];
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    bounds.push([start, end < 0 ? text.length : end]);
    if (end < 0) break;
    start = end + 1;
  }
  const filled = bounds.map(([s, e], i) => (/\S/.test(text.slice(s, e)) ? i : -1)).filter((i) => i >= 0);
  const markers = new Set<number>();
  for (const [s, e] of bounds) {
    const m = /^\s*(\d{1,4})[.)]\s*\S/.exec(text.slice(s, Math.min(e, s + 20)));
    if (m) markers.add(Number(m[1]));
  }
  return { bounds, first: filled[0] ?? -1, last: filled[filled.length - 1] ?? -1, markers };
}

/** The index of the line holding `offset` (binary search). */
function lineAt(lines: Lines, offset: number): number {
  let lo = 0;
  let hi = lines.bounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lines.bounds[mid] as [number, number])[0] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Whether the candidate stands alone on its line (quotes and closing punctuation aside). */
function aloneOnLine(c: Candidate, text: string, lines: Lines): boolean {
  const [start, end] = lines.bounds[lineAt(lines, c.start)] as [number, number];
  return c.start - start < 20 && end - c.end < 20 && /^[\s"'([]*$/.test(text.slice(start, c.start)) && /^[\s"'.!)\]%]*$/.test(text.slice(c.end, end));
}

/**
 * A verdict line: the score after a score label opening a line or sentence (`Score: 95/100`,
 * `Overall quality: 98 (...)`), or alone on the answer's first or last non-empty line (`95`, `85/100`).
 */
function verdictLine(c: Candidate, text: string, lower: string, lines: Lines): boolean {
  const at = lineAt(lines, c.start);
  const [start, end] = lines.bounds[at] as [number, number];
  const from = Math.max(start, sentenceStart(text, c.start), c.start - 80);
  if (VERDICT_LABEL.test(lower.slice(from, c.start))) return c.word ? /^[\s.!)\]]*$/.test(text.slice(c.end, Math.min(end, c.end + 20))) : true;
  return (at === lines.first || at === lines.last) && aloneOnLine(c, text, lines);
}

/** Whether the words before a number state it as the score (`Score:`, `I would give it`), not negated. */
function statedScore(prefix: string): boolean {
  const m = SCORE_CUE.exec(prefix) ?? NEAR_CUE.exec(prefix);
  if (!m) return false;
  return !NEGATION.test(prefix.slice(0, m.index));
}

function candidateOf(n: ParsedNumber, text: string, mark: DecimalMark, word: boolean): Candidate {
  const slice = text.slice(n.start, n.end);
  const slash = slice.indexOf('/');
  // A mixed number (`3 1/2`) is a value, not a score over a maximum.
  if (!word && slash >= 0 && !/^\s*\d+\s+\d/.test(slice)) {
    const numerator = numeral(slice.slice(0, slash), mark);
    const denominator = numeral(slice.slice(slash + 1), mark);
    if (Number.isFinite(numerator) && denominator > 0) return { value: numerator, start: n.start, end: n.end, word, denominator };
  }
  if (n.unit === '%') return { value: n.value, start: n.start, end: n.end, word, denominator: 100, percent: true };
  return { value: n.value, start: n.start, end: n.end, word };
}

function numeral(s: string, mark: DecimalMark): number {
  const digits = mark === 'comma' ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  const t = digits.replace(/[^\d.\-]/g, '');
  return t === '' ? Number.NaN : Number(t);
}

/** `1. Accuracy ...` with a `2.` (or the marker before) starting another line: a numbered list's marker, not a score. */
function isListMarker(c: Candidate, text: string, lines: Lines): boolean {
  if (c.word || c.denominator !== undefined || c.range || !Number.isInteger(c.value)) return false;
  const lineStart = (lines.bounds[lineAt(lines, c.start)] as [number, number])[0];
  if (c.start - lineStart > 10 || !/^\s*$/.test(text.slice(lineStart, c.start))) return false;
  const after = text.slice(c.end, c.end + 3);
  // `1.` read together with what follows as a decimal (`1.5`) is not a marker; `1. Accuracy` and `1.Accuracy` are.
  if (!/^[.)]\s+\S/.test(after) && !/^[.)][A-Za-z]/.test(after)) return false;
  return lines.markers.has(c.value + 1) || (c.value > 1 && lines.markers.has(c.value - 1));
}

/**
 * Where the sentence holding `offset` starts: after the last line break or sentence end before it,
 * looking back at most 300 characters (a score statement is near its number; the bound keeps the
 * reader linear on answers without punctuation).
 */
function sentenceStart(text: string, offset: number): number {
  const limit = Math.max(0, offset - 300);
  for (let i = offset - 1; i > limit; i--) {
    const ch = text[i];
    if (ch === '\n') return i + 1;
    if ((ch === '.' || ch === '!' || ch === '?') && /\s/.test(text[i + 1] ?? '')) return i + 1;
  }
  return limit;
}

/** Spans of `**bold**` (or `__bold__`) text whose content is a score: a number, a fraction, `Score: 4`. */
function boldSpans(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of text.matchAll(/(\*\*|__)([^*_\n]{1,60}?)\1/g)) {
    const content = m[2] ?? '';
    if (/^\s*(?:[a-z ]{0,20}:\s*)?[-+]?\d[\d.,]*\s*(?:(?:\/|out of)\s*\d[\d.,]*)?\s*$/i.test(content)) {
      const start = (m.index ?? 0) + (m[1]?.length ?? 0);
      out.push([start, start + content.length]);
    }
  }
  return out;
}
