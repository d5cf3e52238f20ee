/**
 * Multinomial logistic regression with L2, fitted by L-BFGS with a backtracking (Armijo) line
 * search. Rows are sparse (stacking features are mostly one-hot) so a fit costs O(nonzeros x K)
 * per gradient, which keeps 100k rows or 100 models x 21 labels fast.
 */

/** Compressed sparse rows: row r's features are index/value[start[r] .. start[r+1]). */
export interface SparseRows {
  rows: number;
  dim: number;
  start: Int32Array;
  index: Int32Array;
  value: Float64Array;
  /**
   * Optional class-tied features (conditional-logit terms): entry e adds
   * `tiedValue[e] * tied[tiedIndex[e]]` to the score of class `tiedClass[e]` only, so one weight
   * per feature is shared by all classes, e.g. "how much model j's vote counts, whatever it names".
   */
  tiedDim?: number;
  tiedStart?: Int32Array;
  tiedIndex?: Int32Array;
  tiedClass?: Int32Array;
  tiedValue?: Float64Array;
  /**
   * Optional per-row number of valid classes (conditional logit over per-row candidates): row r's
   * softmax runs over classes 0..classCount[r]-1 only, and with it the intercepts stay 0, since
   * class k of one row has nothing to do with class k of another.
   */
  classCount?: Int32Array;
}

export interface LogisticModel {
  K: number;
  dim: number;
  /** coef[f*K + k]: weight of feature f for class k. */
  coef: Float64Array;
  intercept: Float64Array;
  /** Weights of the class-tied features (empty without them). */
  tied: Float64Array;
}

export interface LogisticOptions {
  /** L2 strength on the coefficients, relative to the weighted mean log-loss. */
  l2: number;
  /** Per-row weights (e.g. class balancing); 1 by default. */
  sampleWeights?: Float64Array;
  /** Starting point, e.g. the solution for a nearby l2 (warm start along a regularization path). */
  init?: LogisticModel;
  maxIterations?: number;
  /** Stop when an iteration lowers the objective by less than this, relatively. */
  tolerance?: number;
}

/** Intercepts get a tiny penalty only so that a class absent from training stays finite. */
const INTERCEPT_L2 = 1e-6;
const HISTORY = 10;

/** Weighted mean log-loss + penalty, and its gradient into `grad` (same layout as params: coef then intercept). */
function objective(params: Float64Array, X: SparseRows, y: Int32Array, w: Float64Array | undefined, K: number, l2: number, grad: Float64Array, scores: Float64Array): number {
  const { dim, start, index, value } = X;
  const nc = dim * K;
  const nt = nc + K;
  const T = X.tiedDim ?? 0;
  const ts = X.tiedStart;
  const ti = X.tiedIndex;
  const tc = X.tiedClass;
  const tv = X.tiedValue;
  grad.fill(0);
  let loss = 0;
  let wsum = 0;
  for (let r = 0; r < X.rows; r++) {
    const wr = w ? (w[r] as number) : 1;
    if (wr === 0) continue;
    wsum += wr;
    for (let k = 0; k < K; k++) scores[k] = params[nc + k] as number;
    const s0 = start[r] as number;
    const s1 = start[r + 1] as number;
    for (let p = s0; p < s1; p++) {
      const base = (index[p] as number) * K;
      const x = value[p] as number;
      for (let k = 0; k < K; k++) scores[k] = (scores[k] as number) + x * (params[base + k] as number);
    }
    if (T > 0 && ts && ti && tc && tv) {
      for (let e = ts[r] as number; e < (ts[r + 1] as number); e++) {
        const c = tc[e] as number;
        scores[c] = (scores[c] as number) + (tv[e] as number) * (params[nt + (ti[e] as number)] as number);
      }
    }
    const Kr = X.classCount ? (X.classCount[r] as number) : K;
    let max = -Infinity;
    for (let k = 0; k < Kr; k++) if ((scores[k] as number) > max) max = scores[k] as number;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = k < Kr ? Math.exp((scores[k] as number) - max) : 0;
      scores[k] = e;
      sum += e;
    }
    const yr = y[r] as number;
    loss += wr * (Math.log(sum) + max - (Math.log(scores[yr] as number) + max));
    for (let k = 0; k < K; k++) scores[k] = (wr * (scores[k] as number)) / sum - (k === yr ? wr : 0);
    for (let k = 0; k < K; k++) grad[nc + k] = (grad[nc + k] as number) + (scores[k] as number);
    for (let p = s0; p < s1; p++) {
      const base = (index[p] as number) * K;
      const x = value[p] as number;
      for (let k = 0; k < K; k++) grad[base + k] = (grad[base + k] as number) + x * (scores[k] as number);
    }
    if (T > 0 && ts && ti && tc && tv) {
      for (let e = ts[r] as number; e < (ts[r + 1] as number); e++) {
        const g = nt + (ti[e] as number);
        grad[g] = (grad[g] as number) + (tv[e] as number) * (scores[tc[e] as number] as number);
      }
    }
  }
  const inv = wsum > 0 ? 1 / wsum : 0;
  let penalty = 0;
  for (let c = 0; c < nc; c++) {
    const v = params[c] as number;
    penalty += v * v;
    grad[c] = (grad[c] as number) * inv + l2 * v;
  }
  let ipen = 0;
  for (let k = 0; k < K; k++) {
    const v = params[nc + k] as number;
    ipen += v * v;
    grad[nc + k] = X.classCount ? 0 : (grad[nc + k] as number) * inv + INTERCEPT_L2 * v;
  }
  for (let t = 0; t < T; t++) {
    const v = params[nt + t] as number;
    penalty += v * v;
    grad[nt + t] = (grad[nt + t] as number) * inv + l2 * v;
  }
  return loss * inv + 0.5 * l2 * penalty + 0.5 * INTERCEPT_L2 * ipen;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/**
 * Fits the model. Features that never occur in X keep a zero coefficient at the optimum (only the
 * penalty acts on them), so the optimization runs on the occurring ones only: with many models and
 * labels, many (model, label) pairs never happen and this saves most of the vector work.
 */
export function fitLogistic(X: SparseRows, y: Int32Array, K: number, options: LogisticOptions): LogisticModel {
  const compact = new Int32Array(X.dim).fill(-1);
  const original: number[] = [];
  for (let p = 0; p < X.index.length; p++) {
    const f = X.index[p] as number;
    if (compact[f] === -1) {
      compact[f] = original.length;
      original.push(f);
    }
  }
  if (original.length === X.dim) return fitOccurring(X, y, K, options);
  const d = original.length;
  const Xc: SparseRows = { ...X, dim: d, index: X.index.map((f) => compact[f] as number) };
  let init: LogisticModel | undefined;
  if (options.init) {
    const coef = new Float64Array(d * K);
    original.forEach((f, c) => coef.set((options.init as LogisticModel).coef.subarray(f * K, (f + 1) * K), c * K));
    init = { ...options.init, dim: d, coef };
  }
  const m = fitOccurring(Xc, y, K, { ...options, ...(init ? { init } : {}) });
  const coef = new Float64Array(X.dim * K);
  original.forEach((f, c) => coef.set(m.coef.subarray(c * K, (c + 1) * K), f * K));
  return { ...m, dim: X.dim, coef };
}

function fitOccurring(X: SparseRows, y: Int32Array, K: number, options: LogisticOptions): LogisticModel {
  const T = X.tiedDim ?? 0;
  const n = X.dim * K + K + T;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-4;
  const x = new Float64Array(n);
  if (options.init) {
    x.set(options.init.coef, 0);
    x.set(options.init.intercept, X.dim * K);
    if (T > 0 && options.init.tied.length === T) x.set(options.init.tied, X.dim * K + K);
  }
  const scores = new Float64Array(K);
  const g = new Float64Array(n);
  const f0 = objective(x, X, y, options.sampleWeights, K, options.l2, g, scores);
  let f = f0;
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(HISTORY);
  // The next step and gradient difference are written into these; one kept in the history is replaced by a fresh pair, or by the pair the history drops.
  let sNext: Float64Array = new Float64Array(n);
  let yNext: Float64Array = new Float64Array(n);
  for (let it = 0; it < maxIterations; it++) {
    // Two-loop recursion, d = -H g: each pass over the vectors also takes the dot product the next
    // step needs (the same products summed in the same order as separate passes would).
    const h = sHist.length;
    let acc = 0;
    {
      const next = h > 0 ? (sHist[h - 1] as Float64Array) : g;
      for (let i = 0; i < n; i++) {
        const v = -(g[i] as number);
        d[i] = v;
        acc += (next[i] as number) * v;
      }
    }
    const gamma = h > 0 ? 1 / ((rho[h - 1] as number) * dot(yHist[h - 1] as Float64Array, yHist[h - 1] as Float64Array)) : 1;
    for (let m = h - 1; m >= 0; m--) {
      const a = (rho[m] as number) * acc;
      alpha[m] = a;
      const ym = yHist[m] as Float64Array;
      acc = 0;
      if (m > 0) {
        const next = sHist[m - 1] as Float64Array;
        for (let i = 0; i < n; i++) {
          const v = (d[i] as number) - a * (ym[i] as number);
          d[i] = v;
          acc += (next[i] as number) * v;
        }
      } else {
        // The last update, scaled by gamma, with the first dot product of the second loop.
        for (let i = 0; i < n; i++) {
          const v = ((d[i] as number) - a * (ym[i] as number)) * gamma;
          d[i] = v;
          acc += (ym[i] as number) * v;
        }
      }
    }
    for (let m = 0; m < h; m++) {
      const b = (rho[m] as number) * acc;
      const sm = sHist[m] as Float64Array;
      const c = (alpha[m] as number) - b;
      const next = m + 1 < h ? (yHist[m + 1] as Float64Array) : g;
      acc = 0;
      for (let i = 0; i < n; i++) {
        const v = (d[i] as number) + c * (sm[i] as number);
        d[i] = v;
        acc += (next[i] as number) * v;
      }
    }
    // acc is now dot(g, d).
    let slope = acc;
    if (!(slope < 0)) {
      for (let i = 0; i < n; i++) d[i] = -(g[i] as number);
      sHist.length = 0;
      yHist.length = 0;
      rho.length = 0;
      slope = dot(g, d);
    }
    if (slope > -1e-20) break;
    let step = h === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let fNew = Infinity;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = (x[i] as number) + step * (d[i] as number);
      fNew = objective(xNew, X, y, options.sampleWeights, K, options.l2, gNew, scores);
      if (fNew <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const s = sNext;
    const yv = yNext;
    for (let i = 0; i < n; i++) {
      s[i] = (xNew[i] as number) - (x[i] as number);
      yv[i] = (gNew[i] as number) - (g[i] as number);
    }
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      if (sHist.length === HISTORY) {
        sNext = sHist.shift() as Float64Array;
        yNext = yHist.shift() as Float64Array;
        rho.shift();
      } else {
        sNext = new Float64Array(n);
        yNext = new Float64Array(n);
      }
      sHist.push(s);
      yHist.push(yv);
      rho.push(1 / sy);
    }
    x.set(xNew);
    g.set(gNew);
    const decrease = f - fNew;
    f = fNew;
    if (decrease <= tolerance * Math.max(1, Math.abs(f))) break;
  }
  return { K, dim: X.dim, coef: x.slice(0, X.dim * K), intercept: x.slice(X.dim * K, X.dim * K + K), tied: x.slice(X.dim * K + K) };
}

/** Class probabilities, out[r*K + k]. */
export function predictLogistic(model: LogisticModel, X: SparseRows): Float64Array {
  const { K } = model;
  const out = new Float64Array(X.rows * K);
  for (let r = 0; r < X.rows; r++) {
    const o = r * K;
    for (let k = 0; k < K; k++) out[o + k] = model.intercept[k] as number;
    for (let p = X.start[r] as number; p < (X.start[r + 1] as number); p++) {
      const base = (X.index[p] as number) * K;
      const v = X.value[p] as number;
      for (let k = 0; k < K; k++) out[o + k] = (out[o + k] as number) + v * (model.coef[base + k] as number);
    }
    if (X.tiedStart && X.tiedIndex && X.tiedClass && X.tiedValue) {
      for (let e = X.tiedStart[r] as number; e < (X.tiedStart[r + 1] as number); e++) {
        const c = o + (X.tiedClass[e] as number);
        out[c] = (out[c] as number) + (X.tiedValue[e] as number) * (model.tied[X.tiedIndex[e] as number] ?? 0);
      }
    }
    const Kr = X.classCount ? (X.classCount[r] as number) : K;
    let max = -Infinity;
    for (let k = 0; k < Kr; k++) max = Math.max(max, out[o + k] as number);
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = k < Kr ? Math.exp((out[o + k] as number) - max) : 0;
      out[o + k] = e;
      sum += e;
    }
    for (let k = 0; k < K; k++) out[o + k] = sum > 0 ? (out[o + k] as number) / sum : 0;
  }
  return out;
}

/** The rows `rows` of X, in that order. */
export function selectRows(X: SparseRows, rows: ArrayLike<number>): SparseRows {
  let nnz = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    nnz += (X.start[i + 1] as number) - (X.start[i] as number);
  }
  const start = new Int32Array(rows.length + 1);
  const index = new Int32Array(nnz);
  const value = new Float64Array(nnz);
  let p = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    const a = X.start[i] as number;
    const b = X.start[i + 1] as number;
    index.set(X.index.subarray(a, b), p);
    value.set(X.value.subarray(a, b), p);
    p += b - a;
    start[r + 1] = p;
  }
  const out: SparseRows = { rows: rows.length, dim: X.dim, start, index, value };
  const cc = X.classCount;
  if (cc) out.classCount = Int32Array.from(rows, (i) => cc[i] as number);
  if (X.tiedStart && X.tiedIndex && X.tiedClass && X.tiedValue) {
    const ts = X.tiedStart;
    let tn = 0;
    for (let r = 0; r < rows.length; r++) tn += (ts[(rows[r] as number) + 1] as number) - (ts[rows[r] as number] as number);
    const tiedStart = new Int32Array(rows.length + 1);
    const tiedIndex = new Int32Array(tn);
    const tiedClass = new Int32Array(tn);
    const tiedValue = new Float64Array(tn);
    let q = 0;
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r] as number;
      const a = ts[i] as number;
      const b = ts[i + 1] as number;
      tiedIndex.set(X.tiedIndex.subarray(a, b), q);
      tiedClass.set(X.tiedClass.subarray(a, b), q);
      tiedValue.set(X.tiedValue.subarray(a, b), q);
      q += b - a;
      tiedStart[r + 1] = q;
    }
    Object.assign(out, { tiedDim: X.tiedDim ?? 0, tiedStart, tiedIndex, tiedClass, tiedValue });
  }
  return out;
}
