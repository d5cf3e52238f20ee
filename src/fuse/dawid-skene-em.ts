import { dependenceWeights, pairAgreement } from './dawid-skene-dependence.js';

/**
 * 'full': one K x K confusion matrix per model (Dawid & Skene 1979), each row shrunk toward the
 * model's one-coin matrix so that rare classes borrow strength; 'one-coin': a single accuracy
 * per model, for thin data and for answers whose candidates differ per item.
 */
export type DawidSkeneVariant = 'full' | 'one-coin';

export interface DawidSkeneOptions {
  variant: DawidSkeneVariant;
  /** Hard cap on EM iterations. */
  maxIterations?: number;
  /** EM stops when no posterior moves by more than this. */
  tolerance?: number;
  /**
   * Per-item candidates (free-form and numeric QA): item i has candidateCounts[i] valid columns and
   * column k means something else on every item. One-coin only; the class prior is then uniform
   * over the item's candidates and a wrong answer is spread evenly over its other candidates.
   */
  candidateCounts?: Int32Array;
  /** Each model's weight in the posteriors: 0 leaves it out, 1/g shares one voice among g copies. Default 1. */
  weights?: Float64Array;
  /** Uniform class priors instead of learned ones (always uniform with per-item candidates). */
  uniformPriors?: boolean;
  /**
   * Down-weight voters that agree with others beyond what the model predicts given the class
   * (near-copies), re-tested at every iteration: see dawid-skene-dependence.ts. Default false.
   */
  dependence?: boolean;
  /**
   * Posteriors start[i*K + k] to start EM from instead of the vote shares (items no weighted model
   * answered keep the vote shares). EM's fixed point depends on where it starts; this lets a caller
   * study which fixed points exist (bench/dawid-skene-fixed-points.ts). The full variant's one-coin
   * stage starts from the same posteriors.
   */
  start?: Float64Array;
}

export const DS_MAX_ITERATIONS = 100;
export const DS_TOLERANCE = 1e-6;
/** Accuracies stay inside this band, so that no single model can overrule every other one. */
export const DS_MIN_ACCURACY = 0.01;
export const DS_MAX_ACCURACY = 0.99;
const COIN_STEPS = 10;

/**
 * Prior counts carried into EM, e.g. the expected counts of a fit on other items: per model
 * `confusion[(j*K + k)*K + l]` (true class k answered l), `priors[k]` for the classes, and
 * `accuracy[2*j]`, `accuracy[2*j + 1]` (expected right answers, answers) for per-item candidates.
 */
export interface DawidSkeneCounts {
  confusion: Float64Array;
  priors: Float64Array;
  accuracy?: Float64Array;
}

export interface DawidSkeneResult {
  /** posteriors[i*K + k]; an all-zero row where no model answered. */
  posteriors: Float64Array;
  decided: Uint8Array;
  /** Row-normalized confusion matrices, confusion[(j*K + true)*K + answered] (shared labels only). */
  confusion: Float64Array;
  /** Per model, the probability that its answer is the truth (one-coin: its coin; full: prior-weighted diagonal). */
  accuracy: Float64Array;
  priors: Float64Array;
  /** Each model's weight in the final posteriors: `weights` times its dependence weight when `dependence` is on. */
  weights: Float64Array;
  /** Expected counts from these items only (no prior), to warm-start a later run. */
  counts: DawidSkeneCounts;
  iterations: number;
  converged: boolean;
}

/** log Gamma(x) for x > 0 (Lanczos, g = 7, nine terms; relative error below 1e-13). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Prior strengths tried per model: powers of two, from one pseudo-answer per row to far more than any row holds. */
const STRENGTHS = Array.from({ length: 15 }, (_, e) => 2 ** e);

/**
 * The strength of the Dirichlet prior on row k of a model's confusion matrix (mean: the same row of
 * its one-coin matrix, `target[base + k*K + l]`) that makes the row's expected counts C[k*K + l]
 * most probable (type-II maximum likelihood of a Dirichlet-multinomial row): strong when the row
 * looks like its one-coin row, weak when it departs from it with enough answers to show it. A rule
 * of the data, so nothing is set by hand.
 */
export function priorStrength(C: Float64Array, target: Float64Array, base: number, K: number, k: number, start = STRENGTH_START): number {
  return STRENGTHS[strengthIndex(C, target, base, K, k, start)] as number;
}

/** Where the search for a row's strength starts when it has no earlier one: 8 pseudo-answers. */
const STRENGTH_START = 3;

/**
 * The index into STRENGTHS of priorStrength, found by climbing from `start` to the better neighbour
 * while there is one: the Dirichlet-multinomial likelihood has a single maximum in the strength, so
 * this finds the best grid point in a few evaluations, and EM passes each row's last index.
 */
function strengthIndex(C: Float64Array, target: Float64Array, base: number, K: number, k: number, start: number): number {
  const at = (e: number): number => {
    const s = STRENGTHS[e] as number;
    let n = 0;
    let log = 0;
    for (let l = 0; l < K; l++) {
      const c = C[k * K + l] as number;
      const a = s * (target[base + k * K + l] as number);
      n += c;
      log += logGamma(c + a) - logGamma(a);
    }
    return log + logGamma(s) - logGamma(n + s);
  };
  let e = Math.min(STRENGTHS.length - 1, Math.max(0, start));
  let here = at(e);
  for (const step of [1, -1]) {
    let moved = false;
    while (e + step >= 0 && e + step < STRENGTHS.length) {
      const next = at(e + step);
      if (!(next > here)) break;
      e += step;
      here = next;
      moved = true;
    }
    if (moved) break;
  }
  return e;
}

const clampAccuracy = (a: number): number => Math.min(DS_MAX_ACCURACY, Math.max(DS_MIN_ACCURACY, a));

/**
 * One-coin fit of one model's expected counts C[k*K + l] (true k, answered l): P(l | k) =
 * a [l = k] + (1 - a) b_l. The model names the truth with "probability" `a`, and otherwise answers
 * from its own error habit `b` (learned, not even: a model that always answers the same label then
 * carries no information, instead of looking reliable whenever that label wins). `a` may be negative
 * for a model worse than its habit (on two labels this is exactly the full confusion matrix). A few
 * coordinate steps warm-started from the previous `a` and `b`: `a` maximizes the (concave) likelihood
 * for the current `b` by bisection, with two pseudo-answers on the diagonal and one off it per row
 * spread over the labels; `b` follows the expected wrong answers (add-one).
 */
function fitCoin(C: Float64Array, K: number, a0: number, b: Float64Array, bBase: number): number {
  let a = a0;
  const wrong = new Float64Array(K);
  for (let step = 0; step < COIN_STEPS; step++) {
    let W = 0;
    let lo = -Infinity;
    for (let l = 0; l < K; l++) {
      for (let k = 0; k < K; k++) if (k !== l) W += (C[k * K + l] as number) + 1 / K;
      const bl = b[bBase + l] as number;
      // P(l | l) = a + (1 - a) b_l stays at least DS_MIN_ACCURACY * b_l.
      lo = Math.max(lo, (bl * DS_MIN_ACCURACY - bl) / (1 - bl));
    }
    const slope = (x: number): number => {
      let d = -W / (1 - x);
      for (let l = 0; l < K; l++) {
        const bl = b[bBase + l] as number;
        d += (((C[l * K + l] as number) + 2 / K) * (1 - bl)) / (x + (1 - x) * bl);
      }
      return d;
    };
    let x0 = lo;
    let x1 = DS_MAX_ACCURACY;
    if (slope(x1) >= 0) a = x1;
    else if (slope(x0) <= 0) a = x0;
    else {
      for (let it = 0; it < 50; it++) {
        const mid = (x0 + x1) / 2;
        if (slope(mid) > 0) x0 = mid;
        else x1 = mid;
      }
      a = (x0 + x1) / 2;
    }
    wrong.fill(0);
    for (let k = 0; k < K; k++) {
      for (let l = 0; l < K; l++) {
        const c = C[k * K + l] as number;
        // Below zero there is no hidden coin: the habit is then simply how the model answers.
        const r = k === l && a > 0 ? a / (a + (1 - a) * (b[bBase + l] as number)) : 0;
        wrong[l] = (wrong[l] as number) + c * (1 - r);
      }
    }
    let total = 0;
    for (let l = 0; l < K; l++) total += (wrong[l] as number) + 1;
    for (let l = 0; l < K; l++) b[bBase + l] = ((wrong[l] as number) + 1) / total;
  }
  return a;
}

/**
 * Unsupervised EM over hard votes (votes[i*M + j], -1 = abstained), initialized from the
 * majority-vote shares. Accuracies and priors are smoothed and kept away from 0 and 1. The full
 * variant first fits the one-coin model, then runs from the vote shares again with a Dirichlet prior on
 * every confusion row whose mean is the model's one-coin row and whose strength is chosen
 * by type-II maximum likelihood per row (`priorStrength`), so it reduces to one-coin where a row
 * gives no evidence of departing from it. `iterations` counts the last stage. Deterministic: no random restarts
 * (`start` replaces the vote shares as the starting posteriors).
 */
export function dawidSkene(votes: Int32Array, N: number, M: number, K: number, options: DawidSkeneOptions, warm?: DawidSkeneCounts): DawidSkeneResult {
  const maxIterations = options.maxIterations ?? DS_MAX_ITERATIONS;
  const tolerance = options.tolerance ?? DS_TOLERANCE;
  const cc = options.candidateCounts;
  const shared = cc === undefined;
  if (!shared && options.variant === 'full') throw new RangeError('full-confusion Dawid-Skene needs a shared label set');
  if (options.start && options.start.length !== N * K) throw new RangeError(`start: expected ${N * K} posteriors (items x labels), got ${options.start.length}`);
  // The full variant shrinks toward the one-coin model's (then fixed) matrices: a target re-fitted
  // from the full model's own drifting posteriors would follow it. It starts from the vote, not from
  // the one-coin posteriors: counts computed under those look one-coin-shaped by construction, so the
  // chosen prior strengths would hold the full model there.
  const coinStage = options.variant === 'full' ? dawidSkene(votes, N, M, K, { ...options, variant: 'one-coin' }, warm) : undefined;
  const weights = options.weights ?? new Float64Array(M).fill(1);
  /** The weights the E-step uses: `weights`, capped by each voter's dependence weight when that test is on. */
  const effective = Float64Array.from(weights);
  const dependence = options.dependence === true ? new Float64Array(M) : undefined;
  const agreement = dependence ? pairAgreement(votes, N, M, weights, cc) : undefined;
  const uniform = !shared || options.uniformPriors === true;
  const T = new Float64Array(N * K);
  const decided = new Uint8Array(N);
  /** 1 where some model with a non-zero weight answered: elsewhere the vote shares stand. */
  const heard = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    let n = 0;
    for (let j = 0; j < M; j++) {
      const v = votes[i * M + j] as number;
      if (v < 0) continue;
      T[i * K + v] = (T[i * K + v] as number) + 1;
      n++;
      if ((weights[j] as number) > 0) heard[i] = 1;
    }
    if (n === 0) continue;
    decided[i] = 1;
    for (let k = 0; k < K; k++) T[i * K + k] = options.start && heard[i] === 1 ? (options.start[i * K + k] as number) : (T[i * K + k] as number) / n;
  }

  const counts = new Float64Array(shared ? M * K * K : 0);
  const classCounts = new Float64Array(K);
  const accCounts = new Float64Array(2 * M);
  const theta = new Float64Array(shared ? M * K * K : 0);
  const logTheta = new Float64Array(shared ? M * K * K : 0);
  const coin = new Float64Array(M).fill(0.6);
  const habit = new Float64Array(shared ? M * K : 0).fill(1 / K);
  const accuracy = new Float64Array(M);
  const logRight = new Float64Array(M);
  const logWrong = new Float64Array(M);
  const priors = new Float64Array(K);
  const logPriors = new Float64Array(K);
  const row = new Float64Array(K);
  const C = new Float64Array(K * K);
  /** Per confusion row, the index into STRENGTHS its prior had at the last M-step. */
  const strengthAt = new Int8Array(shared ? M * K : 0).fill(STRENGTH_START);

  const mStep = (): void => {
    counts.fill(0);
    classCounts.fill(0);
    accCounts.fill(0);
    for (let i = 0; i < N; i++) {
      if (decided[i] === 0) continue;
      for (let k = 0; k < K; k++) classCounts[k] = (classCounts[k] as number) + (T[i * K + k] as number);
      for (let j = 0; j < M; j++) {
        const v = votes[i * M + j] as number;
        if (v < 0) continue;
        accCounts[2 * j] = (accCounts[2 * j] as number) + (T[i * K + v] as number);
        accCounts[2 * j + 1] = (accCounts[2 * j + 1] as number) + 1;
        if (!shared) continue;
        const base = j * K * K + v;
        for (let k = 0; k < K; k++) counts[base + k * K] = (counts[base + k * K] as number) + (T[i * K + k] as number);
      }
    }
    let totalClass = 0;
    for (let k = 0; k < K; k++) {
      const c = uniform ? 1 : (classCounts[k] as number) + (warm ? (warm.priors[k] as number) : 0) + 1;
      priors[k] = c;
      totalClass += c;
    }
    for (let k = 0; k < K; k++) {
      priors[k] = (priors[k] as number) / totalClass;
      logPriors[k] = Math.log(priors[k] as number);
    }
    if (!shared) {
      for (let j = 0; j < M; j++) {
        const right = (accCounts[2 * j] as number) + (warm?.accuracy ? (warm.accuracy[2 * j] as number) : 0);
        const n = (accCounts[2 * j + 1] as number) + (warm?.accuracy ? (warm.accuracy[2 * j + 1] as number) : 0);
        const a = clampAccuracy((right + 2) / (n + 3));
        accuracy[j] = a;
        logRight[j] = Math.log(a);
        logWrong[j] = Math.log(1 - a);
      }
      return;
    }
    for (let j = 0; j < M; j++) {
      const base = j * K * K;
      for (let c = 0; c < K * K; c++) C[c] = (counts[base + c] as number) + (warm ? (warm.confusion[base + c] as number) : 0);
      const a = coinStage ? 0 : fitCoin(C, K, coin[j] as number, habit, j * K);
      coin[j] = a;
      let acc = 0;
      for (let k = 0; k < K; k++) {
        const r = base + k * K;
        let rowTotal = 0;
        for (let l = 0; l < K; l++) rowTotal += C[k * K + l] as number;
        let strength = 0;
        if (coinStage) {
          const e = strengthIndex(C, coinStage.confusion, base, K, k, strengthAt[j * K + k] as number);
          strengthAt[j * K + k] = e;
          strength = STRENGTHS[e] as number;
        }
        for (let l = 0; l < K; l++) {
          theta[r + l] = coinStage
            ? ((C[k * K + l] as number) + strength * (coinStage.confusion[r + l] as number)) / (rowTotal + strength)
            : (l === k ? a : 0) + (1 - a) * (habit[j * K + l] as number);
          logTheta[r + l] = Math.log(theta[r + l] as number);
        }
        acc += (priors[k] as number) * (theta[r + k] as number);
      }
      accuracy[j] = acc;
    }
  };

  /** Returns the largest posterior change. */
  const eStep = (): number => {
    let maxChange = 0;
    for (let i = 0; i < N; i++) {
      if (heard[i] === 0) continue;
      const Ki = shared ? K : (cc[i] as number);
      const spread = Ki > 1 ? Math.log(Ki - 1) : 0;
      for (let k = 0; k < Ki; k++) row[k] = logPriors[k] as number;
      for (let j = 0; j < M; j++) {
        const v = votes[i * M + j] as number;
        const w = effective[j] as number;
        if (v < 0 || w === 0) continue;
        if (shared) {
          const base = j * K * K + v;
          for (let k = 0; k < K; k++) row[k] = (row[k] as number) + w * (logTheta[base + k * K] as number);
        } else {
          const wrong = (logWrong[j] as number) - spread;
          for (let k = 0; k < Ki; k++) row[k] = (row[k] as number) + w * (k === v ? (logRight[j] as number) : wrong);
        }
      }
      let max = -Infinity;
      for (let k = 0; k < Ki; k++) max = Math.max(max, row[k] as number);
      let sum = 0;
      for (let k = 0; k < Ki; k++) {
        const e = Math.exp((row[k] as number) - max);
        row[k] = e;
        sum += e;
      }
      for (let k = 0; k < Ki; k++) {
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
  /** The dependence test under the posteriors and rows the M-step just used. */
  const reweigh = (): void => {
    if (!dependence || !agreement) return;
    dependenceWeights(agreement, M, shared ? { kind: 'confusion', confusion: theta, posteriors: T, K } : { kind: 'coin', accuracy }, dependence);
    for (let j = 0; j < M; j++) effective[j] = Math.min(weights[j] as number, dependence[j] as number);
  };
  while (iterations < maxIterations) {
    mStep();
    reweigh();
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
    accuracy,
    priors,
    weights: effective,
    counts: { confusion: Float64Array.from(counts), priors: Float64Array.from(classCounts), accuracy: Float64Array.from(accCounts) },
    iterations,
    converged,
  };
}
