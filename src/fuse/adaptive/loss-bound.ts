import { fitLogistic, type SparseRows } from '../logistic-regression.js';
import { seededRandom } from '../../util/random.js';
import type { ScoreMetric } from '../strategy.js';

/** What the loss is measured in: the figure the task kind is scored by (see FitOptions.metric). */
export type LossMetric = ScoreMetric;

/**
 * The loss metric of a fit: the one its caller's task kind is scored by, else (a library caller
 * that names none) accuracy where each item has its own candidates, whose columns share no label
 * a macro-F1 could average over, and macro-F1 over a fixed label set.
 */
export function lossMetricOf(named: ScoreMetric | undefined, answers: { candidates?: unknown }): LossMetric {
  return named ?? (answers.candidates ? 'accuracy' : 'macro-f1');
}

/**
 * What the decisions are scored against: the gold label of each row, or a distribution over the
 * labels per row (n*K values, each row summing to 1) when the truth is estimated rather than known.
 */
export type Truth = Int32Array | { readonly probs: Float64Array };

/** The truth of row r as a distribution: one-hot for a gold label. */
function truthOf(truth: Truth, r: number, K: number, k: number): number {
  if (truth instanceof Int32Array) return truth[r] === k ? 1 : 0;
  return truth.probs[r * K + k] as number;
}

const rowsOf = (truth: Truth, K: number) => (truth instanceof Int32Array ? truth.length : truth.probs.length / K);

/**
 * What a score is computed from: per label, the (weighted) true positives, decisions and support
 * for macro-F1; the total and hits for accuracy. Kept apart from the score so that rows whose
 * label is known (the pseudo-disagreements of `lossesWithUnseen`) can be added without rescoring
 * every row.
 */
interface ScoreCounts {
  tp: Float64Array;
  predicted: Float64Array;
  support: Float64Array;
  total: number;
  hit: number;
}

function scoreCounts(truth: Truth, decided: Int32Array, K: number, metric: LossMetric, w?: Float64Array): ScoreCounts {
  const n = rowsOf(truth, K);
  const counts: ScoreCounts = { tp: new Float64Array(K), predicted: new Float64Array(K), support: new Float64Array(K), total: 0, hit: 0 };
  if (metric === 'accuracy') {
    for (let r = 0; r < n; r++) {
      const c = w ? (w[r] as number) : 1;
      counts.total += c;
      const p = decided[r] as number;
      if (p >= 0) counts.hit += c * truthOf(truth, r, K, p);
    }
    return counts;
  }
  const { tp, predicted, support } = counts;
  for (let r = 0; r < n; r++) {
    const c = w ? (w[r] as number) : 1;
    if (c === 0) continue;
    if (truth instanceof Int32Array) {
      const g = truth[r] as number;
      support[g] = (support[g] as number) + c;
    } else for (let k = 0; k < K; k++) support[k] = (support[k] as number) + c * (truth.probs[r * K + k] as number);
    const p = decided[r] as number;
    if (p < 0) continue;
    predicted[p] = (predicted[p] as number) + c;
    tp[p] = (tp[p] as number) + c * truthOf(truth, r, K, p);
  }
  return counts;
}

/** The counts with rows of known labels added, each counted `weights[e]` times: decided right when `decides`, left undecided otherwise. */
function withKnownRows(counts: ScoreCounts, labels: readonly number[], weights: readonly number[], decides: boolean): ScoreCounts {
  const out: ScoreCounts = { tp: Float64Array.from(counts.tp), predicted: Float64Array.from(counts.predicted), support: Float64Array.from(counts.support), total: counts.total, hit: counts.hit };
  labels.forEach((k, e) => {
    const c = weights[e] as number;
    if (c === 0) return;
    out.total += c;
    out.support[k] = (out.support[k] as number) + c;
    if (!decides) return;
    out.hit += c;
    out.predicted[k] = (out.predicted[k] as number) + c;
    out.tp[k] = (out.tp[k] as number) + c;
  });
  return out;
}

function scoreOfCounts(counts: ScoreCounts, metric: LossMetric): number {
  if (metric === 'accuracy') return counts.total > 0 ? counts.hit / counts.total : 0;
  let sum = 0;
  let count = 0;
  counts.tp.forEach((tp, k) => {
    const s = (counts.support[k] as number) + (counts.predicted[k] as number);
    // A label absent from the gold and never decided; a soft support that is merely tiny still counts.
    if (s <= 0) return;
    sum += (2 * tp) / s;
    count++;
  });
  return count > 0 ? sum / count : 0;
}

/**
 * Score of decisions (a label index per row, -1 when undecided) against the truth, each row
 * counted `w[r]` times: macro-F1 as `scoreClassification` computes it (labels neither in the gold
 * nor predicted left out of the mean, undecided rows count in the support only), or accuracy.
 * Against a distribution it is the plug-in expectation: true positives, support and hits counted
 * by the probability each row's label is the one decided (or each label).
 */
export function weightedScore(truth: Truth, decided: Int32Array, K: number, metric: LossMetric, w?: Float64Array): number {
  return scoreOfCounts(scoreCounts(truth, decided, K, metric, w), metric);
}

/**
 * The truth as the reference fusion believes it, recalibrated on the labels: each row's fused
 * distribution where the reference decided, its gold label elsewhere. Scoring against it counts a
 * decision that differs from the reference's by the probability that it is right, not by whether
 * it happened to match this row's label: the loss it gives is the expected loss, with the label
 * noise of the few rows that differ averaged out. That holds only for calibrated probabilities,
 * which a fusion's are not by construction (a mixture tuned for its decisions may be too sure, or
 * lean to a class), so they are first recalibrated against the labels of the same rows: a
 * temperature and, when the labels mean the same on every row, a bias per label (a
 * (K+1)-parameter logistic map of the log-probabilities; the identity when they are calibrated).
 */
export function expectedTruth(y: Int32Array, reference: { probs: Float64Array; decided: Uint8Array }, K: number, sharedLabels = true): { probs: Float64Array } {
  const n = y.length;
  const rows: number[] = [];
  for (let r = 0; r < n; r++) if (reference.decided[r] === 1 && (y[r] as number) >= 0) rows.push(r);
  const logp = (r: number, k: number) => Math.log(Math.max(reference.probs[r * K + k] as number, 1e-6));
  const R = rows.length;
  const X: SparseRows = {
    rows: R,
    dim: 0,
    start: new Int32Array(R + 1),
    index: new Int32Array(0),
    value: new Float64Array(0),
    tiedDim: 1,
    tiedStart: Int32Array.from({ length: R + 1 }, (_, q) => q * K),
    tiedIndex: new Int32Array(R * K),
    tiedClass: Int32Array.from({ length: R * K }, (_, e) => e % K),
    tiedValue: Float64Array.from({ length: R * K }, (_, e) => logp(rows[Math.floor(e / K)] as number, e % K)),
    ...(sharedLabels ? {} : { classCount: new Int32Array(R).fill(K) }),
  };
  const model = R > 1 && K > 1 ? fitLogistic(X, Int32Array.from(rows, (r) => y[r] as number), K, { l2: 1e-4 }) : null;
  const probs = new Float64Array(n * K);
  for (let r = 0; r < n; r++) {
    if (reference.decided[r] !== 1) {
      if ((y[r] as number) >= 0) probs[r * K + (y[r] as number)] = 1;
      continue;
    }
    // Too few rows to recalibrate: the probabilities as they are.
    const t = model ? (model.tied[0] as number) : 1;
    const bias = (k: number) => (model && sharedLabels ? (model.intercept[k] as number) : 0);
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, bias(k) + t * logp(r, k));
    let total = 0;
    for (let k = 0; k < K; k++) total += probs[r * K + k] = Math.exp(bias(k) + t * logp(r, k) - max);
    for (let k = 0; k < K; k++) probs[r * K + k] = (probs[r * K + k] as number) / total;
  }
  return { probs };
}

/** One bootstrap draw of the rows as counts: `w[r]` is how often row r was drawn, w.length draws in all. */
function resample(w: Float64Array, random: () => number): void {
  const n = w.length;
  w.fill(0);
  for (let r = 0; r < n; r++) {
    const i = Math.floor(random() * n);
    w[i] = (w[i] as number) + 1;
  }
}

/** The standard deviation over the draws of each policy's loss (sums and sums of squares), the bootstrap's standard error. */
function standardErrors(sum: Float64Array, sq: Float64Array, draws: number): number[] {
  return Array.from(sum, (total, q) => {
    const mean = total / draws;
    return Math.sqrt(Math.max(0, (sq[q] as number) / draws - mean * mean) * (draws / (draws - 1)));
  });
}

/** Bootstrap draws of the training rows behind a loss's standard error: enough for a standard error within a few percent of itself. */
export const BOOTSTRAP_DRAWS = 200;

/**
 * The standard error of each policy's loss against the reference (score of `reference` minus
 * score of the policy, on the same rows), by a paired bootstrap over the rows: every draw
 * resamples the rows once and scores the reference and every policy on that same resample, so
 * what the draws spread is the loss itself, not two scores' noise. A policy that decides every
 * row as the reference does has none. Deterministic for a seed.
 */
export function lossStandardErrors(y: Truth, reference: Int32Array, policies: readonly Int32Array[], K: number, metric: LossMetric, seed: number, draws = BOOTSTRAP_DRAWS): number[] {
  const n = rowsOf(y, K);
  const P = policies.length;
  if (n === 0 || draws < 2) return new Array<number>(P).fill(0);
  const random = seededRandom(seed);
  const w = new Float64Array(n);
  const sum = new Float64Array(P);
  const sq = new Float64Array(P);
  // Rows where a policy differs from the reference: elsewhere its loss cannot move, so most policies cost little.
  const differs = policies.map((p) => p.some((d, r) => d !== reference[r]));
  for (let b = 0; b < draws; b++) {
    resample(w, random);
    const ref = weightedScore(y, reference, K, metric, w);
    policies.forEach((p, q) => {
      const loss = differs[q] ? ref - weightedScore(y, p, K, metric, w) : 0;
      sum[q] = (sum[q] as number) + loss;
      sq[q] = (sq[q] as number) + loss * loss;
    });
  }
  return standardErrors(sum, sq, draws);
}

/** Every tuple of `u` labels among `labels`, with its probability when each is drawn independently by `share`. */
function labelTuples(labels: readonly number[], share: Float64Array, u: number): { labels: number[]; p: number }[] {
  let tuples: { labels: number[]; p: number }[] = [{ labels: [], p: 1 }];
  for (let e = 0; e < u; e++) tuples = tuples.flatMap((t) => labels.map((k) => ({ labels: [...t.labels, k], p: t.p * (share[k] as number) })));
  return tuples;
}

/**
 * Each policy's loss against the reference and its standard error with disagreements the rows
 * did not show added (Laplace's rule of succession): `unseen[q]` rows where the reference is right
 * and policy q is not, joined to the training rows and resampled with them by the paired
 * bootstrap. A policy that matched the reference on every one of n rows has not shown that it
 * always will: zero disagreements in n rows bound the disagreement rate only to about two in n at
 * the one-sided level one standard error stands for (Poisson), and without the extra row such a
 * policy gets loss and standard error 0 whatever n is, so the cheapest of many settings that look
 * perfect on few rows would be chosen by noise. Resampled, an extra row contributes one row's
 * worth to the loss and about as much to its standard error: close to that Poisson bound with no
 * real disagreement, and a vanishing share of the loss once the rows show many. Its label is the
 * reference's decision on a row drawn at random (the point loss averages over those decisions),
 * as a real disagreement would fall on rows like the others. The caller says how many claims a
 * policy makes that the rows must vouch for (one per stage that stops before the reference, each
 * stopping on its own evidence): a policy that never stops before the reference does (it cannot
 * decide otherwise on any row) gets none, loss and error 0. Policies with the same count share
 * one stream of draws, so a policy's figures do not depend on which others are measured with it.
 */
export function lossesWithUnseen(y: Truth, reference: Int32Array, policies: readonly Int32Array[], unseen: readonly number[], K: number, metric: LossMetric, seed: number, draws = BOOTSTRAP_DRAWS): { loss: number[]; se: number[] } {
  const n = rowsOf(y, K);
  const P = policies.length;
  const loss = new Array<number>(P).fill(0);
  const se = new Array<number>(P).fill(0);
  const decidedRows: number[] = [];
  for (let r = 0; r < n; r++) if ((reference[r] as number) >= 0) decidedRows.push(r);
  if (decidedRows.length === 0) return { loss, se };
  const share = new Float64Array(K);
  for (const r of decidedRows) share[reference[r] as number] = (share[reference[r] as number] as number) + 1 / decidedRows.length;
  const labels = Array.from({ length: K }, (_, k) => k).filter((k) => (share[k] as number) > 0);
  const refCounts = scoreCounts(y, reference, K, metric);
  const ownCounts = policies.map((p) => scoreCounts(y, p, K, metric));
  for (const u of [...new Set(unseen)].filter((c) => c > 0)) {
    const group = policies.map((_, q) => q).filter((q) => unseen[q] === u);
    const ones = new Array<number>(u).fill(1);
    for (const t of labelTuples(labels, share, u)) {
      const ref = scoreOfCounts(withKnownRows(refCounts, t.labels, ones, true), metric);
      for (const q of group) loss[q] = (loss[q] as number) + t.p * (ref - scoreOfCounts(withKnownRows(ownCounts[q] as ScoreCounts, t.labels, ones, false), metric));
    }
    if (draws < 2) continue;
    const random = seededRandom(seed);
    const w = new Float64Array(n + u);
    const sum = new Float64Array(group.length);
    const sq = new Float64Array(group.length);
    for (let b = 0; b < draws; b++) {
      resample(w, random);
      const drawn = Array.from({ length: u }, () => reference[decidedRows[Math.floor(random() * decidedRows.length)] as number] as number);
      const extra = Array.from(w.subarray(n));
      const ref = scoreOfCounts(withKnownRows(scoreCounts(y, reference, K, metric, w), drawn, extra, true), metric);
      group.forEach((q, g) => {
        const l = ref - scoreOfCounts(withKnownRows(scoreCounts(y, policies[q] as Int32Array, K, metric, w), drawn, extra, false), metric);
        sum[g] = (sum[g] as number) + l;
        sq[g] = (sq[g] as number) + l * l;
      });
    }
    standardErrors(sum, sq, draws).forEach((s, g) => (se[group[g] as number] = s));
  }
  return { loss, se };
}
