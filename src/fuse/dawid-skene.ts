import { z } from 'zod';
import type { AnswerMatrix } from './answer-matrix.js';
import { alignModels, checkLabels } from './model-alignment.js';
import type { FittedStrategy, FusedPrediction, FusionStrategy, ModelContribution } from './strategy.js';
import { parseState, StrategyStateError } from './strategy-state.js';
import { hardVotes } from './votes.js';

/**
 * 'full': one K x K confusion matrix per model (Dawid & Skene 1979), each row shrunk toward the
 * model's one-coin matrix so that rare classes borrow strength; 'one-coin': a single accuracy
 * per model with errors spread evenly, for thin data.
 */
export type DawidSkeneVariant = 'full' | 'one-coin';

export interface DawidSkeneOptions {
  variant: DawidSkeneVariant;
  /** Hard cap on EM iterations. */
  maxIterations?: number;
  /** EM stops when no posterior moves by more than this. */
  tolerance?: number;
}

export const DS_MAX_ITERATIONS = 100;
export const DS_TOLERANCE = 1e-6;

/**
 * Prior counts carried into EM, e.g. the expected counts of a fit on other items: per model
 * `confusion[(j*K + k)*K + l]` (true class k answered l), `priors[k]` for the classes.
 */
export interface DawidSkeneCounts {
  confusion: Float64Array;
  priors: Float64Array;
}

export interface DawidSkeneResult {
  /** posteriors[i*K + k]; an all-zero row where no model answered. */
  posteriors: Float64Array;
  decided: Uint8Array;
  /** Row-normalized confusion matrices, confusion[(j*K + true)*K + answered]. */
  confusion: Float64Array;
  priors: Float64Array;
  /** Expected counts from these items only (no prior), to warm-start a later run. */
  counts: DawidSkeneCounts;
  iterations: number;
  converged: boolean;
}

/**
 * Unsupervised EM over hard votes (votes[i*M + j], -1 = abstained), initialized from the
 * majority-vote shares. Confusion rows get a Dirichlet prior of K pseudo-counts shaped like the
 * model's one-coin matrix (the 'full' variant reduces to one-coin where a row has little data),
 * and class priors get add-one smoothing, so no probability is ever exactly zero.
 */
export function dawidSkene(votes: Int32Array, N: number, M: number, K: number, options: DawidSkeneOptions, warm?: DawidSkeneCounts): DawidSkeneResult {
  const maxIterations = options.maxIterations ?? DS_MAX_ITERATIONS;
  const tolerance = options.tolerance ?? DS_TOLERANCE;
  const T = new Float64Array(N * K);
  const decided = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    let n = 0;
    for (let j = 0; j < M; j++) {
      const v = votes[i * M + j] as number;
      if (v < 0) continue;
      T[i * K + v] = (T[i * K + v] as number) + 1;
      n++;
    }
    if (n === 0) continue;
    decided[i] = 1;
    for (let k = 0; k < K; k++) T[i * K + k] = (T[i * K + k] as number) / n;
  }

  const counts = new Float64Array(M * K * K);
  const classCounts = new Float64Array(K);
  const logTheta = new Float64Array(M * K * K);
  const theta = new Float64Array(M * K * K);
  const priors = new Float64Array(K);
  const logPriors = new Float64Array(K);
  const row = new Float64Array(K);

  const mStep = (): void => {
    counts.fill(0);
    classCounts.fill(0);
    for (let i = 0; i < N; i++) {
      if (decided[i] === 0) continue;
      for (let k = 0; k < K; k++) classCounts[k] = (classCounts[k] as number) + (T[i * K + k] as number);
      for (let j = 0; j < M; j++) {
        const v = votes[i * M + j] as number;
        if (v < 0) continue;
        const base = j * K * K + v;
        for (let k = 0; k < K; k++) counts[base + k * K] = (counts[base + k * K] as number) + (T[i * K + k] as number);
      }
    }
    let totalClass = 0;
    for (let k = 0; k < K; k++) {
      const c = (classCounts[k] as number) + (warm ? (warm.priors[k] as number) : 0) + 1;
      priors[k] = c;
      totalClass += c;
    }
    for (let k = 0; k < K; k++) {
      priors[k] = (priors[k] as number) / totalClass;
      logPriors[k] = Math.log(priors[k] as number);
    }
    for (let j = 0; j < M; j++) {
      const base = j * K * K;
      let diag = 0;
      let total = 0;
      for (let c = 0; c < K * K; c++) {
        const x = (counts[base + c] as number) + (warm ? (warm.confusion[base + c] as number) : 0);
        theta[base + c] = x;
        total += x;
      }
      for (let k = 0; k < K; k++) diag += theta[base + k * K + k] as number;
      // Beta(2, 1)-smoothed accuracy: an unseen model is assumed better than a coin flip, not perfect.
      const acc = (diag + 2) / (total + 3);
      const off = (1 - acc) / (K - 1);
      for (let k = 0; k < K; k++) {
        const r = base + k * K;
        if (options.variant === 'one-coin') {
          for (let l = 0; l < K; l++) theta[r + l] = l === k ? acc : off;
        } else {
          let sum = 0;
          for (let l = 0; l < K; l++) {
            const x = (theta[r + l] as number) + K * (l === k ? acc : off);
            theta[r + l] = x;
            sum += x;
          }
          for (let l = 0; l < K; l++) theta[r + l] = (theta[r + l] as number) / sum;
        }
        for (let l = 0; l < K; l++) logTheta[r + l] = Math.log(theta[r + l] as number);
      }
    }
  };

  /** Returns the largest posterior change. */
  const eStep = (): number => {
    let maxChange = 0;
    for (let i = 0; i < N; i++) {
      if (decided[i] === 0) continue;
      for (let k = 0; k < K; k++) row[k] = logPriors[k] as number;
      for (let j = 0; j < M; j++) {
        const v = votes[i * M + j] as number;
        if (v < 0) continue;
        const base = j * K * K + v;
        for (let k = 0; k < K; k++) row[k] = (row[k] as number) + (logTheta[base + k * K] as number);
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, row[k] as number);
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp((row[k] as number) - max);
        row[k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) {
        const p = (row[k] as number) / sum;
        const d = Math.abs(p - (T[i * K + k] as number));
        if (d > maxChange) maxChange = d;
        T[i * K + k] = p;
      }
    }
    return maxChange;
  };

  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    mStep();
    iterations++;
    if (eStep() <= tolerance) {
      converged = true;
      break;
    }
  }
  // Counts matching the final posteriors, for a later warm start.
  mStep();
  return {
    posteriors: T,
    decided,
    confusion: theta,
    priors,
    counts: { confusion: Float64Array.from(counts), priors: Float64Array.from(classCounts) },
    iterations,
    converged,
  };
}

const StateSchema = z.object({
  variant: z.enum(['full', 'one-coin']),
  models: z.array(z.string()),
  /** Expected class counts of the fit. */
  priorCounts: z.array(z.number().nonnegative()),
  /** Per model, its K*K expected confusion counts (row = true label), flattened. */
  confusionCounts: z.array(z.array(z.number().nonnegative())),
});
type DawidSkeneState = z.infer<typeof StateSchema>;

function fitted(name: string, state: DawidSkeneState, labels: readonly string[]): FittedStrategy {
  const K = labels.length;
  /** EM on the given answers, with the fit's counts as a prior for the models it knows (matched by name). */
  const run = (answers: AnswerMatrix): DawidSkeneResult => {
    checkLabels(name, labels, answers);
    const M = answers.models.length;
    const warm: DawidSkeneCounts = { confusion: new Float64Array(M * K * K), priors: Float64Array.from(state.priorCounts) };
    const col = alignModels(state.models, answers);
    col.forEach((j, f) => {
      if (j >= 0) warm.confusion.set(state.confusionCounts[f] as number[], j * K * K);
    });
    return dawidSkene(hardVotes(answers), answers.itemIds.length, M, K, { variant: state.variant }, warm);
  };
  return {
    name,
    predict(answers): FusedPrediction {
      const r = run(answers);
      return { probs: r.posteriors, decided: r.decided };
    },
    state: () => state,
    explain(answers, i): ModelContribution[] {
      const r = run(answers);
      const M = answers.models.length;
      let top = 0;
      for (let k = 1; k < K; k++) if ((r.posteriors[i * K + k] as number) > (r.posteriors[i * K + top] as number)) top = k;
      const votes = hardVotes(answers);
      return answers.models.map((model, j) => {
        const v = votes[i * M + j] as number;
        if (v < 0) return { model, answer: null, weight: 0, influence: 0 };
        const col = (k: number) => r.confusion[(j * K + k) * K + v] as number;
        let others = 0;
        for (let k = 0; k < K; k++) if (k !== v) others += col(k);
        // Log-likelihood ratio of its answer for the label it names vs. the others, and for the fused label vs. an average label.
        const weight = Math.log((col(v) * (K - 1)) / others);
        let meanLog = 0;
        for (let k = 0; k < K; k++) meanLog += Math.log(col(k)) / K;
        return { model, answer: answers.labels[v] as string, weight, influence: Math.log(col(top)) - meanLog };
      });
    },
  };
}

/**
 * Dawid-Skene as a strategy. It never reads gold: `fit` runs EM on the training answers and keeps
 * the expected counts, and `predict` runs EM again on the answers it is given with those counts
 * as a prior, so it works on unlabelled `fusion run` output and benefits from a larger fit set.
 */
export function createDawidSkene(variant: DawidSkeneVariant): FusionStrategy {
  const name = variant === 'full' ? 'dawid-skene' : 'dawid-skene-one-coin';
  return {
    name,
    supervised: false,
    fit(train) {
      const K = train.labels.length;
      const M = train.models.length;
      const r = dawidSkene(hardVotes(train), train.itemIds.length, M, K, { variant });
      return fitted(
        name,
        {
          variant,
          models: [...train.models],
          priorCounts: Array.from(r.counts.priors),
          confusionCounts: train.models.map((_, j) => Array.from(r.counts.confusion.subarray(j * K * K, (j + 1) * K * K))),
        },
        train.labels,
      );
    },
    load(state, labels) {
      const s = parseState(name, StateSchema, state);
      const K = labels.length;
      const issues = [];
      if (s.priorCounts.length !== K) issues.push({ field: 'priorCounts', message: `expected ${K} values, got ${s.priorCounts.length}` });
      if (s.confusionCounts.length !== s.models.length) issues.push({ field: 'confusionCounts', message: `expected ${s.models.length} models, got ${s.confusionCounts.length}` });
      s.confusionCounts.forEach((c, f) => {
        if (c.length !== K * K) issues.push({ field: `confusionCounts.${f}`, message: `expected ${K * K} values, got ${c.length}` });
      });
      if (issues.length > 0) throw new StrategyStateError(name, issues);
      return fitted(name, s, labels);
    },
  };
}

export const dawidSkeneStrategy = createDawidSkene('full');
export const oneCoinDawidSkeneStrategy = createDawidSkene('one-coin');
