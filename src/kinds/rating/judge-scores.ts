import type { RatingMatrix } from './rating-matrix.js';

/** The readable scores of item i, in judge order. */
export function itemScores(m: RatingMatrix, i: number): number[] {
  const J = m.judges.length;
  const out: number[] = [];
  for (let j = 0; j < J; j++) {
    const x = m.scores[i * J + j] as number;
    if (!Number.isNaN(x)) out.push(x);
  }
  return out;
}

/** One number per item from its readable scores (NaN when it has none). */
export function perItem(m: RatingMatrix, f: (scores: number[]) => number): Float64Array {
  const N = m.itemIds.length;
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const s = itemScores(m, i);
    out[i] = s.length === 0 ? Number.NaN : f(s);
  }
  return out;
}

export function meanOf(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

export { median as medianOf } from '../../util/median.js';

/** The index of each of `judges` in `m.judges` (-1 when absent): fitted parameters follow judges by name. */
export function judgeColumns(m: RatingMatrix, judges: readonly string[]): number[] {
  return judges.map((name) => m.judges.indexOf(name));
}

/** Judge j's score of item i in `m`, NaN when it gave none or is not in `m` (column -1). */
export function scoreAt(m: RatingMatrix, i: number, column: number): number {
  return column < 0 ? Number.NaN : (m.scores[i * m.judges.length + column] as number);
}
