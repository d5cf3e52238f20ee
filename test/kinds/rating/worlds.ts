import { seededRandom } from '../../../src/util/random.js';
import type { RatingMatrix } from '../../../src/kinds/rating/rating-matrix.js';

/** One judge of a synthetic world: score = clip(bias + slope * truth + noise), or a constant, or a copy. */
export interface JudgeSpec {
  bias?: number;
  slope?: number;
  noise?: number;
  /** Always answers this value. */
  constant?: number;
  /** Gives exactly the scores of judge `copyOf`. */
  copyOf?: number;
  /** Share of items it leaves unanswered. */
  missing?: number;
  /** Per-header extra bias (header index -> bias): the score means something else under that criterion. */
  headerBias?: number[];
  /** Per-header slope (header index -> slope), replacing `slope` under that criterion. */
  headerSlope?: number[];
  /** Per-header noise (header index -> noise), replacing `noise` under that criterion. */
  headerNoise?: number[];
}

export interface World {
  matrix: RatingMatrix;
  gold: Float64Array;
  truth: Float64Array;
}

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * N items with a true quality on 0-10 (gold = truth + gold noise, plus or minus `goldStep`), rated by `judges`; with `headers`,
 * items come in groups of that many (one text rated on each criterion) and the truth shifts per header.
 */
export function world(options: { items: number; judges: JudgeSpec[]; seed: number; goldNoise?: number; goldStep?: number; headers?: number; headerShift?: number[] }): World {
  const random = seededRandom(options.seed);
  const N = options.items;
  const J = options.judges.length;
  const H = options.headers ?? 0;
  const truth = new Float64Array(N);
  const gold = new Float64Array(N);
  const scores = new Float64Array(N * J).fill(Number.NaN);
  const headerValues: (string | null)[] = [];
  const groups: (string | null)[] = [];
  for (let i = 0; i < N; i++) {
    const h = H > 0 ? i % H : -1;
    truth[i] = Math.min(10, Math.max(0, 5 + 2 * normal(random) + (h >= 0 ? (options.headerShift?.[h] ?? 0) : 0)));
    // goldStep: the gold rater lands a whole step off the truth, up or down at random.
    const step = options.goldStep === undefined ? 0 : (random() < 0.5 ? -1 : 1) * options.goldStep;
    gold[i] = Math.min(10, Math.max(0, (truth[i] as number) + step + (options.goldNoise ?? 0.5) * normal(random)));
    headerValues.push(h >= 0 ? `Criterion ${h}` : null);
    groups.push(H > 0 ? `story-${Math.floor(i / H)}` : null);
  }
  options.judges.forEach((spec, j) => {
    for (let i = 0; i < N; i++) {
      if (spec.copyOf !== undefined) {
        scores[i * J + j] = scores[i * J + spec.copyOf] as number;
        continue;
      }
      if (random() < (spec.missing ?? 0)) continue;
      const h = H > 0 ? i % H : -1;
      const slope = (h >= 0 ? spec.headerSlope?.[h] : undefined) ?? spec.slope ?? 1;
      const noise = (h >= 0 ? spec.headerNoise?.[h] : undefined) ?? spec.noise ?? 1;
      const raw = spec.constant ?? (spec.bias ?? 0) + slope * (truth[i] as number) + noise * normal(random) + (h >= 0 ? (spec.headerBias?.[h] ?? 0) : 0);
      scores[i * J + j] = Math.min(10, Math.max(0, raw));
    }
  });
  const matrix: RatingMatrix = {
    itemIds: Array.from({ length: N }, (_, i) => `item-${i}`),
    judges: options.judges.map((_, j) => `judge-${j}`),
    scale: { min: 0, max: 10 },
    scores,
    features: H > 0 ? [{ name: 'header', values: headerValues }] : [],
    groups: H > 0 ? groups : null,
  };
  return { matrix, gold, truth };
}

// Correlations as the product measures them (src/validation/score-metrics.ts, tested on its own).
export { pearson, spearman } from '../../../src/validation/score-metrics.js';

export function mae(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs((x[i] as number) - (y[i] as number));
  return s / x.length;
}

export function coverage(gold: ArrayLike<number>, low: ArrayLike<number>, high: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < gold.length; i++) if ((low[i] as number) <= (gold[i] as number) && (gold[i] as number) <= (high[i] as number)) c++;
  return c / gold.length;
}

/** Judge j's column. */
export function judgeScores(m: RatingMatrix, j: number): Float64Array {
  const J = m.judges.length;
  return Float64Array.from(m.itemIds, (_, i) => m.scores[i * J + j] as number);
}

/**
 * The world with two samples (prompt variants) per answer whose mean is the judge's score: the
 * first leans halfway toward the truth, the second as far away, so a strategy that reads the
 * samples (stacking) learns more than the mean score tells.
 */
export function withSamples(w: World): World {
  const J = w.matrix.judges.length;
  const lean = Float64Array.from(w.matrix.scores, (x, c) => ((w.truth[Math.floor(c / J)] as number) - x) / 2);
  const first = Float64Array.from(w.matrix.scores, (x, c) => x + (lean[c] as number));
  const second = Float64Array.from(w.matrix.scores, (x, c) => x - (lean[c] as number));
  return { ...w, matrix: { ...w.matrix, sampleScores: [first, second] } };
}
