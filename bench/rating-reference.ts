/**
 * The rating dev sets' reference (the data README's figures, computed with scikit-learn), rebuilt
 * here so the benchmark and the dev-data test compare with it on the same folds: its rule for
 * reading a judge's score and its ridge stacking. Bench only, never imported by src/.
 */
import { innerFolds, labelledRows } from '../src/kinds/rating/inner-folds.js';
import { chooseRidgePenalty, predictRidge, ridgeFromMoments, rowMoments } from '../src/kinds/rating/ridge.js';
import { selectRatingItems, type RatingMatrix, type ScoreReading } from '../src/kinds/rating/rating-matrix.js';
import type { Scale } from '../src/kinds/rating/scale.js';
import { groupedKFold, trainIndices } from '../src/validation/folds.js';
import { scoreMetrics } from '../src/validation/score-metrics.js';
import { loadRatingSet } from './rating-data.js';

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
const RULES = [
  new RegExp(String.raw`${NUMBER}\s*/\s*100\b`),
  new RegExp(String.raw`score\s*(?:of|is|:)\s*${NUMBER}`, 'i'),
  new RegExp(String.raw`I would (?:rate|evaluate|estimate)[^.\d]*?\b(?:as|a|to be)\s+${NUMBER}`, 'i'),
  new RegExp(String.raw`^\s*${NUMBER}`),
];

/**
 * The data README's reading rule, used only for the README's own baselines: "N/100", else "score
 * (of|is|:) N", else "I would rate ... (as|a|to be) N", else a number that opens the answer; kept
 * inside the scale. The product reads answers with readScore (src/kinds/rating/read-score.ts).
 */
export function referenceReader(output: string, scale: Scale): ScoreReading {
  for (const rule of RULES) {
    const m = rule.exec(output);
    if (!m) continue;
    const score = Number(m[1]);
    if (score >= scale.min && score <= scale.max) return { kind: 'score', score, method: 'number' };
  }
  return { kind: 'abstain', reason: 'missing', detail: 'no score inside the scale' };
}

/** The README's reference stacking: ridge on the judges' sample-averaged scores (missing imputed with the training mean), penalty from {0.1, 1, 10} by grouped inner CV, grouped 5-fold out-of-fold. */
export function referenceRidge(m: RatingMatrix, gold: Float64Array, seed: number, FOLDS = 5): Float64Array {
  const N = m.itemIds.length;
  const J = m.judges.length;
  const out = new Float64Array(N).fill(Number.NaN);
  for (const test of groupedKFold(m.groups ?? m.itemIds.map(() => null), FOLDS, seed)) {
    const train = trainIndices(N, test);
    const means = Array.from({ length: J }, (_, j) => {
      const xs = train.map((i) => m.scores[i * J + j] as number).filter((x) => !Number.isNaN(x));
      return xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
    });
    const X = new Float64Array(N * J);
    for (let i = 0; i < N; i++) for (let j = 0; j < J; j++) X[i * J + j] = Number.isNaN(m.scores[i * J + j] as number) ? (means[j] as number) : (m.scores[i * J + j] as number);
    const sub = selectRatingItems(m, train);
    const folds = innerFolds(sub, labelledRows(Float64Array.from(train, (i) => gold[i] as number)), seed) ?? [];
    const { lambda } = chooseRidgePenalty(X, gold, J, train, folds.map((f) => f.map((r) => train[r] as number)), [0.1, 1, 10]);
    const model = ridgeFromMoments(rowMoments(X, gold, J, train), lambda);
    const Xt = new Float64Array(test.length * J);
    test.forEach((i, r) => Xt.set(X.subarray(i * J, (i + 1) * J), r * J));
    predictRidge(model, Xt, test.length).forEach((p, r) => (out[test[r] as number] = p));
  }
  return out;
}


/** The data README's reference on a rating folder, as the quality table shows it: the ridge's Spearman with the README's reading rule, out-of-fold. */
export function referenceRidgeSpearman(dir: string, folds: number, seed: number): number {
  const { matrix, gold } = loadRatingSet(dir, referenceReader);
  return scoreMetrics(gold, referenceRidge(matrix, gold, seed, folds), matrix.scale).spearman;
}
