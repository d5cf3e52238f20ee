/** Euclidean projection of w onto the probability simplex (Duchi et al. 2008). */
function projectToSimplex(w: Float64Array): Float64Array {
  const u = Float64Array.from(w).sort().reverse();
  let cumulative = 0;
  let theta = 0;
  for (let k = 0; k < u.length; k++) {
    cumulative += u[k] as number;
    const t = (cumulative - 1) / (k + 1);
    if ((u[k] as number) - t > 0) theta = t;
  }
  return w.map((x) => Math.max(0, x - theta));
}

/**
 * Weights w >= 0 summing to 1 that minimise the squared error of sum_c w_c * predictions[c] against
 * y (a convex combination of candidates), by projected gradient descent on the quadratic.
 * `predictions[c][r]` must be finite.
 */
export function simplexWeights(predictions: readonly Float64Array[], y: ArrayLike<number>, rows?: readonly number[]): Float64Array {
  const C = predictions.length;
  const at = rows ?? Array.from({ length: y.length }, (_, r) => r);
  const G = new Float64Array(C * C);
  const c = new Float64Array(C);
  for (const r of at) {
    for (let a = 0; a < C; a++) {
      const pa = (predictions[a] as Float64Array)[r] as number;
      c[a] = (c[a] as number) + pa * (y[r] as number);
      for (let b = a; b < C; b++) G[a * C + b] = (G[a * C + b] as number) + pa * ((predictions[b] as Float64Array)[r] as number);
    }
  }
  for (let a = 0; a < C; a++) for (let b = 0; b < a; b++) G[a * C + b] = G[b * C + a] as number;
  let trace = 0;
  for (let a = 0; a < C; a++) trace += G[a * C + a] as number;
  const step = trace > 0 ? 1 / trace : 1;
  let w: Float64Array = new Float64Array(C).fill(1 / C);
  for (let iter = 0; iter < 20_000; iter++) {
    const next = new Float64Array(C);
    for (let a = 0; a < C; a++) {
      let g = -(c[a] as number);
      for (let b = 0; b < C; b++) g += (G[a * C + b] as number) * (w[b] as number);
      next[a] = (w[a] as number) - step * g;
    }
    const projected = projectToSimplex(next);
    let moved = 0;
    for (let a = 0; a < C; a++) moved = Math.max(moved, Math.abs((projected[a] as number) - (w[a] as number)));
    w = projected;
    if (moved < 1e-12) break;
  }
  return w;
}

/** Weights below a thousandth dropped and the rest rescaled to sum to 1: a component that barely counts is not refitted. */
export function pruneSimplex(w: Float64Array): Float64Array {
  const kept = w.map((x) => (x < 1e-3 ? 0 : x));
  const total = kept.reduce((a, b) => a + b, 0);
  return total > 0 ? kept.map((x) => x / total) : w;
}
