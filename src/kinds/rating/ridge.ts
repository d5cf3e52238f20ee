/**
 * Ridge regression on dense, row-major features, with centred and scaled columns and an unpenalised
 * intercept (as scikit-learn's Ridge on standardised features). Solved by Cholesky on the p x p
 * normal equations: the design has tens of columns, so a fit is cheap whatever the item count, and
 * the Gram matrix of a training fold is the whole one minus the test fold's.
 */

export interface RidgeModel {
  /** Column means and scales of the training features (a constant column gets scale 1). */
  mean: number[];
  scale: number[];
  /** Coefficients on the standardised columns. */
  coef: number[];
  intercept: number;
}

/** Sufficient statistics of rows: sums, the Gram matrix and X'y, so folds combine by subtraction. */
export interface Moments {
  n: number;
  p: number;
  sx: Float64Array;
  sy: number;
  xx: Float64Array;
  xy: Float64Array;
}

export function rowMoments(X: Float64Array, y: ArrayLike<number>, p: number, rows: readonly number[]): Moments {
  const sx = new Float64Array(p);
  const xx = new Float64Array(p * p);
  const xy = new Float64Array(p);
  let sy = 0;
  for (const i of rows) {
    const o = i * p;
    const yi = y[i] as number;
    sy += yi;
    for (let a = 0; a < p; a++) {
      const xa = X[o + a] as number;
      if (xa === 0) continue;
      sx[a] = (sx[a] as number) + xa;
      xy[a] = (xy[a] as number) + xa * yi;
      const r = a * p;
      for (let b = a; b < p; b++) xx[r + b] = (xx[r + b] as number) + xa * (X[o + b] as number);
    }
  }
  return { n: rows.length, p, sx, sy, xx, xy };
}

export function subtractMoments(all: Moments, part: Moments): Moments {
  return {
    n: all.n - part.n,
    p: all.p,
    sx: all.sx.map((v, k) => v - (part.sx[k] as number)),
    sy: all.sy - part.sy,
    xx: all.xx.map((v, k) => v - (part.xx[k] as number)),
    xy: all.xy.map((v, k) => v - (part.xy[k] as number)),
  };
}

/** Solves (A + lambda I) x = b for symmetric positive semi-definite A (upper triangle read), by Cholesky. */
function solve(A: Float64Array, b: Float64Array, p: number, lambda: number): Float64Array {
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = (A[j * p + i] as number) + (i === j ? lambda : 0);
      for (let k = 0; k < j; k++) s -= (L[i * p + k] as number) * (L[j * p + k] as number);
      // A tiny jitter keeps a rank-deficient system (lambda 0, duplicated columns) solvable.
      L[i * p + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / (L[j * p + j] as number);
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (L[i * p + k] as number) * (z[k] as number);
    z[i] = s / (L[i * p + i] as number);
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i] as number;
    for (let k = i + 1; k < p; k++) s -= (L[k * p + i] as number) * (x[k] as number);
    x[i] = s / (L[i * p + i] as number);
  }
  return x;
}

/** The ridge fit with penalty `lambda` (on the standardised columns, in units of the summed squared error) from moments. */
export function ridgeFromMoments(m: Moments, lambda: number): RidgeModel {
  const { n, p } = m;
  const mean = Array.from(m.sx, (s) => s / Math.max(n, 1));
  const ybar = m.sy / Math.max(n, 1);
  const scale = mean.map((mu, a) => {
    const v = (m.xx[a * p + a] as number) / Math.max(n, 1) - mu * mu;
    return v > 1e-12 ? Math.sqrt(v) : 1;
  });
  // Centred, scaled Gram and X'y.
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    b[a] = ((m.xy[a] as number) - n * (mean[a] as number) * ybar) / (scale[a] as number);
    for (let c = a; c < p; c++) A[a * p + c] = ((m.xx[a * p + c] as number) - n * (mean[a] as number) * (mean[c] as number)) / ((scale[a] as number) * (scale[c] as number));
  }
  const coef = Array.from(solve(A, b, p, lambda));
  return { mean, scale, coef, intercept: ybar };
}

export function predictRidge(model: RidgeModel, X: Float64Array, n: number): Float64Array {
  const p = model.coef.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = model.intercept;
    for (let a = 0; a < p; a++) s += ((model.coef[a] as number) * ((X[i * p + a] as number) - (model.mean[a] as number))) / (model.scale[a] as number);
    out[i] = s;
  }
  return out;
}

/**
 * The penalty with the least held-out squared error over `folds` (lists of rows), and the
 * held-out predictions it made: the choice is made on the training rows alone.
 */
export function chooseRidgePenalty(X: Float64Array, y: ArrayLike<number>, p: number, rows: readonly number[], folds: readonly (readonly number[])[], grid: readonly number[]): { lambda: number; heldOut: Map<number, number> } {
  const all = rowMoments(X, y, p, rows);
  const perFold = folds.map((test) => subtractMoments(all, rowMoments(X, y, p, test)));
  let best = { lambda: grid[0] as number, sse: Number.POSITIVE_INFINITY, heldOut: new Map<number, number>() };
  for (const lambda of grid) {
    let sse = 0;
    const heldOut = new Map<number, number>();
    folds.forEach((test, f) => {
      const model = ridgeFromMoments(perFold[f] as Moments, lambda);
      const Xt = new Float64Array(test.length * p);
      test.forEach((i, r) => Xt.set(X.subarray(i * p, (i + 1) * p), r * p));
      const pred = predictRidge(model, Xt, test.length);
      test.forEach((i, r) => {
        const e = (y[i] as number) - (pred[r] as number);
        sse += e * e;
        heldOut.set(i, pred[r] as number);
      });
    });
    if (sse < best.sse) best = { lambda, sse, heldOut };
  }
  return { lambda: best.lambda, heldOut: best.heldOut };
}
