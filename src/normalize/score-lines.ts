import type { LabelMatcher } from './label-matcher.js';
import type { Token } from './text.js';

/**
 * `Positive: 0.7, Neutral: 0.2, Negative: 0.1`: scores written as text for two or more labels are
 * a distribution, renormalized like a JSON one. Read only when every label-score pair is clean
 * (label, `:`, `=` or `(`, number, optional `%`).
 */
export function readScoreLines(matcher: LabelMatcher, tokens: readonly Token[]): Float64Array | undefined {
  const K = matcher.K;
  const dist = new Float64Array(K);
  let pairs = 0;
  let total = 0;
  for (let i = 0; i < tokens.length; i++) {
    const phrase = matcher.phraseAt(tokens, i);
    if (!phrase || phrase.labels.length !== 1) continue;
    const sep = tokens[phrase.end];
    const num = tokens[phrase.end + 1];
    if (!sep || !num || (sep.text !== ':' && sep.text !== '=' && sep.text !== '(') || num.kind !== 'number') continue;
    const value = Number(num.text);
    if (!Number.isFinite(value)) continue;
    const k = phrase.labels[0] as number;
    dist[k] = (dist[k] as number) + value;
    total += value;
    pairs++;
    i = phrase.end + 1;
  }
  if (pairs < 2 || !(total > 0)) return undefined;
  for (let k = 0; k < K; k++) dist[k] = (dist[k] as number) / total;
  return dist;
}
