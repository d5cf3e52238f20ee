import { z } from 'zod';
import { judgeColumns, scoreAt } from './judge-scores.js';
import type { RatingMatrix } from './rating-matrix.js';

/** What the stacking features are, learned from the training matrix alone, so any matrix maps onto the same columns. */
export const DesignSchema = z.object({
  judges: z.array(z.string()),
  /** Each judge's mean training score: the value a missing score is imputed with. */
  judgeMean: z.array(z.number()),
  /** Judges with a missing score on some training item get a missing-indicator column. */
  missing: z.array(z.boolean()),
  /** The levels of each categorical feature seen in training: one-hot columns, and one score column per level and judge. */
  features: z.array(z.object({ name: z.string(), levels: z.array(z.string()) })),
  /** Per-sample score columns (prompt variants) for this many samples; 0 without them. */
  samples: z.number().int().nonnegative(),
});
export type Design = z.infer<typeof DesignSchema>;

export function learnDesign(m: RatingMatrix, rows: readonly number[]): Design {
  const J = m.judges.length;
  const judgeMean: number[] = [];
  const missing: boolean[] = [];
  for (let j = 0; j < J; j++) {
    let s = 0;
    let n = 0;
    for (const i of rows) {
      const x = scoreAt(m, i, j);
      if (Number.isNaN(x)) continue;
      s += x;
      n++;
    }
    judgeMean.push(n > 0 ? s / n : 0);
    missing.push(n < rows.length);
  }
  const features = m.features.map((f) => ({ name: f.name, levels: [...new Set(rows.map((i) => f.values[i]).filter((v): v is string => v != null))].sort() }));
  return { judges: [...m.judges], judgeMean, missing, features: features.filter((f) => f.levels.length >= 2), samples: m.sampleScores?.length ?? 0 };
}

export function designWidth(d: Design): number {
  const J = d.judges.length;
  const levels = d.features.reduce((a, f) => a + f.levels.length, 0);
  return J + d.missing.filter(Boolean).length + levels * (1 + J) + d.samples * J;
}

/**
 * The rows of `m` as features: each judge's score (missing imputed with its training mean) and a
 * missing indicator, the one-hot levels of each categorical feature (the header), each level times
 * each judge's centred score (so a judge's weight can differ per criterion), and each sample's
 * score per judge (a missing sample imputed with the judge's score of the item). Also which rows
 * have no score at all (those stay undecided).
 */
export function designMatrix(d: Design, m: RatingMatrix): { X: Float64Array; p: number; empty: Uint8Array } {
  const N = m.itemIds.length;
  const J = d.judges.length;
  const p = designWidth(d);
  const cols = judgeColumns(m, d.judges);
  const feats = d.features.map((f) => ({ values: m.features.find((g) => g.name === f.name)?.values ?? null, index: new Map(f.levels.map((l, k) => [l, k])) }));
  const samples = d.samples > 0 ? m.sampleScores : undefined;
  const X = new Float64Array(N * p);
  const empty = new Uint8Array(N);
  const centred = new Float64Array(J);
  for (let i = 0; i < N; i++) {
    let o = i * p;
    let any = false;
    for (let j = 0; j < J; j++) {
      const x = scoreAt(m, i, cols[j] as number);
      any ||= !Number.isNaN(x);
      const v = Number.isNaN(x) ? (d.judgeMean[j] as number) : x;
      X[o++] = v;
      centred[j] = v - (d.judgeMean[j] as number);
    }
    empty[i] = any ? 0 : 1;
    for (let j = 0; j < J; j++) if (d.missing[j]) X[o++] = Number.isNaN(scoreAt(m, i, cols[j] as number)) ? 1 : 0;
    for (const f of feats) {
      const v = f.values?.[i];
      const level = v != null ? f.index.get(v) : undefined;
      const L = f.index.size;
      if (level !== undefined) {
        X[o + level] = 1;
        for (let j = 0; j < J; j++) X[o + L + level * J + j] = centred[j] as number;
      }
      o += L * (1 + J);
    }
    for (let s = 0; s < d.samples; s++) {
      const sample = samples?.[s];
      for (let j = 0; j < J; j++) {
        const c = cols[j] as number;
        const x = sample && c >= 0 ? (sample[i * m.judges.length + c] as number) : Number.NaN;
        X[o++] = Number.isNaN(x) ? (X[i * p + j] as number) : x;
      }
    }
  }
  return { X, p, empty };
}
