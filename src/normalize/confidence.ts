/**
 * Stated confidence, and how it becomes a distribution.
 *
 * Rule: a model that picks label k with confidence c gets mass c on k and (1 - c) / (K - 1) on each
 * other label. c is clamped to [1/K + 0.01, 1], so the chosen label always stays the single most
 * likely one (a stated 10 % on the chosen label would otherwise make every other label likelier
 * than the one the model chose, and a uniform result would be resolved by label order downstream).
 * With no stated confidence the distribution is one-hot.
 *
 * A numeric confidence is read from a JSON field or from text such as `confidence: 80%`,
 * `(probability 0.8)`, `8/10`, `90% sure`; numbers above 1 are percentages (or tenths with `/10`).
 * A verbal confidence is read with the table VERBAL_CONFIDENCE below; the longest phrase found wins,
 * and the numeric form wins over the verbal one.
 */

/** Verbal confidence phrases and the probability each is read as (matched on lowercased text). */
export const VERBAL_CONFIDENCE: ReadonlyArray<readonly [phrase: string, confidence: number]> = [
  ['absolutely certain', 0.97],
  ['absolutely sure', 0.97],
  ['completely sure', 0.97],
  ['without a doubt', 0.97],
  ['without doubt', 0.95],
  ['certainly', 0.95],
  ['definitely', 0.95],
  ['i am certain', 0.95],
  ["i'm certain", 0.95],
  ['very confident', 0.9],
  ['highly confident', 0.9],
  ['very sure', 0.9],
  ['very likely', 0.9],
  ['high confidence', 0.9],
  ['confident', 0.85],
  ['clearly', 0.85],
  ['fairly sure', 0.75],
  ['fairly confident', 0.75],
  ['pretty sure', 0.75],
  ['quite sure', 0.75],
  ['reasonably sure', 0.75],
  ['reasonably confident', 0.75],
  ['most likely', 0.75],
  ['medium confidence', 0.7],
  ['moderate confidence', 0.7],
  ['moderately confident', 0.7],
  ['likely', 0.7],
  ['probably', 0.7],
  ['somewhat confident', 0.6],
  ['somewhat sure', 0.6],
  ['i think', 0.6],
  ['i believe', 0.6],
  ['leaning towards', 0.6],
  ['leaning toward', 0.6],
  ['low confidence', 0.5],
  ['not very confident', 0.5],
  ['not confident', 0.45],
  ['not sure', 0.45],
  ['not certain', 0.45],
  ['unsure', 0.45],
  ['uncertain', 0.45],
  ['possibly', 0.45],
  ['perhaps', 0.45],
  ['maybe', 0.45],
  ['might be', 0.45],
  ['a guess', 0.4],
  ['guessing', 0.4],
];

/** Structured-output confidence words (`"confidence": "high"`). */
const LEVEL_WORDS: Readonly<Record<string, number>> = { 'very high': 0.95, high: 0.9, medium: 0.7, moderate: 0.7, low: 0.5, 'very low': 0.4 };

const VERBAL_RE = new RegExp(
  `\\b(?:${[...VERBAL_CONFIDENCE]
    .sort((a, b) => b[0].length - a[0].length)
    .map(([p]) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "['’]"))
    .join('|')})\\b`,
  'g',
);
const VERBAL_MAP = new Map(VERBAL_CONFIDENCE.map(([p, c]) => [p, c]));

const NUMERIC_RES: readonly RegExp[] = [
  /\b(?:confidence|certainty|probability|likelihood|prob|score|confidence level|confidence score)\s*(?:level|score)?\s*(?:is|of|:|=|-|at)?\s*(?:about |around |approximately |~)?(\d{1,3}(?:\.\d+)?)\s*(%|\/\s*100|\/\s*10|percent)?/,
  /(\d{1,3}(?:\.\d+)?)\s*(%|\/\s*100|\/\s*10|percent)\s*(?:confident|confidence|sure|certain|certainty|likely|probability|chance)/,
  /\((\d{1,3}(?:\.\d+)?)\s*(%|\/\s*100|\/\s*10|percent)\)/,
];

/** A stated number as a probability, or undefined when it cannot be one. */
export function toProbability(value: number, unit?: string): number | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const u = unit?.replace(/\s+/g, '');
  if (u === '/10') return value <= 10 ? value / 10 : undefined;
  if (u === '%' || u === '/100' || u === 'percent') return value <= 100 ? value / 100 : undefined;
  if (value <= 1) return value;
  return value <= 100 ? value / 100 : undefined;
}

/** A confidence given as a string in structured output: `"80%"`, `"0.8"`, `"high"`. */
export function confidenceFromString(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  const level = LEVEL_WORDS[t];
  if (level !== undefined) return level;
  const m = /^(\d{1,3}(?:\.\d+)?)\s*(%|\/\s*100|\/\s*10|percent)?$/.exec(t);
  if (m) return toProbability(Number(m[1]), m[2]);
  return statedConfidence(t);
}

/** The confidence stated in a text answer, numeric first, then verbal; undefined when none. */
export function statedConfidence(lowerText: string): number | undefined {
  for (const re of NUMERIC_RES) {
    const m = re.exec(lowerText);
    if (m) {
      const p = toProbability(Number(m[1]), m[2]);
      if (p !== undefined) return p;
    }
  }
  let best: string | undefined;
  VERBAL_RE.lastIndex = 0;
  for (let m = VERBAL_RE.exec(lowerText); m !== null; m = VERBAL_RE.exec(lowerText)) {
    const phrase = m[0].replace(/’/g, "'");
    if (best === undefined || phrase.length > best.length) best = phrase;
  }
  return best === undefined ? undefined : VERBAL_MAP.get(best);
}

/** Mass `confidence` on label k and the rest evenly over the other labels (see the rule above). */
export function spreadConfidence(K: number, k: number, confidence: number | undefined): Float64Array {
  const d = new Float64Array(K);
  if (confidence === undefined || K < 2) {
    d[k] = 1;
    return d;
  }
  const c = Math.min(1, Math.max(1 / K + 0.01, confidence));
  const rest = (1 - c) / (K - 1);
  d.fill(rest);
  d[k] = c;
  return d;
}

export function oneHot(K: number, k: number): Float64Array {
  const d = new Float64Array(K);
  d[k] = 1;
  return d;
}
