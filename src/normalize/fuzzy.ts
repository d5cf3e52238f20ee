import { JaroWinklerDistance } from 'natural/lib/natural/distance/index.js';
import type { LabelMatcher } from './label-matcher.js';

/**
 * A misspelt short answer (`postive`, `nuetral`, `Sarcastic`) is read as a label only when its
 * Jaro-Winkler similarity (natural) to one of that label's spellings is at least FUZZY_THRESHOLD
 * and beats every other label's best by at least FUZZY_MARGIN. At 0.9 typos and suffix changes
 * pass (`postive`/`positive` 0.94, `angry`/`anger` 0.91) while different words of one family do not
 * (`neutral`/`negative` 0.69, `positive`/`negative` 0.58); the margin keeps near-ties out.
 * Spellings under four characters are never fuzzy-matched.
 *
 * An abbreviation (`pos`, `neu`) is read as the one label it starts: at least three letters, a
 * prefix of exactly one label's spelling and of no other label's.
 */
export const FUZZY_THRESHOLD = 0.9;
export const FUZZY_MARGIN = 0.05;

export function fuzzyLabel(matcher: LabelMatcher, answer: string): { label: number; similarity: number } | undefined {
  if (answer.length >= 3 && /^\p{L}+$/u.test(answer)) {
    const starts = new Set(matcher.spellings.filter((p) => p.key.startsWith(answer)).map((p) => p.label));
    if (starts.size === 1) return { label: [...starts][0] as number, similarity: 1 };
  }
  if (answer.length < 4 || answer.length > 60) return undefined;
  const best = new Float64Array(matcher.K);
  for (const p of matcher.spellings) {
    const spelling = p.key;
    if (spelling.length < 4) continue;
    const s = JaroWinklerDistance(answer, spelling, { ignoreCase: true });
    if (s > (best[p.label] as number)) best[p.label] = s;
  }
  let top = -1;
  let first = 0;
  let second = 0;
  for (let k = 0; k < matcher.K; k++) {
    const s = best[k] as number;
    if (s > first) {
      second = first;
      first = s;
      top = k;
    } else if (s > second) second = s;
  }
  if (top < 0 || first < FUZZY_THRESHOLD || first - second < FUZZY_MARGIN) return undefined;
  return { label: top, similarity: first };
}
