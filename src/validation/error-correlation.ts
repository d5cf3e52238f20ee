/**
 * Pearson correlation (phi) of two 0/1 error indicators over the same items; 0 when either never
 * or always errs (no variation to correlate).
 */
export function errorCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let sa = 0;
  let sb = 0;
  let sab = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i] as number;
    sb += b[i] as number;
    sab += (a[i] as number) * (b[i] as number);
  }
  if (n === 0) return 0;
  const ma = sa / n;
  const mb = sb / n;
  const cov = sab / n - ma * mb;
  const va = ma * (1 - ma);
  const vb = mb * (1 - mb);
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
}

/**
 * How many independent voters M voters with mean pairwise error correlation rho are worth:
 * M / (1 + (M - 1) rho), the variance of the mean of M equicorrelated votes expressed as a count of
 * uncorrelated ones (Kish's design effect). Negative mean correlation is clamped to 0 (at most M).
 */
export function effectiveVoters(M: number, meanCorrelation: number): number {
  if (M <= 1) return M;
  const rho = Math.max(0, meanCorrelation);
  return M / (1 + (M - 1) * rho);
}
