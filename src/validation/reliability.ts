export interface ReliabilityBin {
  /** Lower edge of the bin's confidence range (width 1 / bins). */
  from: number;
  to: number;
  count: number;
  /** Mean top-label probability of the bin's items. */
  confidence: number;
  /** Share of the bin's items whose top label is right. */
  accuracy: number;
}

/**
 * The reliability diagram of a prediction: decided labelled items binned by their top label's
 * probability (equal-width bins), each bin's mean confidence against its accuracy. ECE is the
 * count-weighted mean gap, as in the leaderboard's ECE.
 */
export function reliabilityBins(probs: ArrayLike<number>, decided: ArrayLike<number>, gold: ArrayLike<number>, K: number, bins = 10): { bins: ReliabilityBin[]; ece: number } {
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const acc = new Float64Array(bins);
  let covered = 0;
  for (let i = 0; i < decided.length; i++) {
    const g = gold[i] as number;
    if (!decided[i] || g < 0) continue;
    // Top label, ties to the first (task label order), as everywhere a decision is taken.
    let p = 0;
    for (let k = 1; k < K; k++) if ((probs[i * K + k] as number) > (probs[i * K + p] as number)) p = k;
    const c = probs[i * K + p] as number;
    const b = Math.min(bins - 1, Math.floor(c * bins));
    count[b] = (count[b] as number) + 1;
    conf[b] = (conf[b] as number) + c;
    acc[b] = (acc[b] as number) + (p === g ? 1 : 0);
    covered++;
  }
  const out: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const n = count[b] as number;
    if (n === 0) continue;
    const bin = { from: b / bins, to: (b + 1) / bins, count: n, confidence: (conf[b] as number) / n, accuracy: (acc[b] as number) / n };
    ece += (n / covered) * Math.abs(bin.accuracy - bin.confidence);
    out.push(bin);
  }
  return { bins: out, ece };
}

/** counts[g][p]: labelled items of gold class g predicted as p; the last column counts abstentions. */
export function confusionMatrix(gold: ArrayLike<number>, pred: ArrayLike<number>, K: number): number[][] {
  const m = Array.from({ length: K }, () => new Array<number>(K + 1).fill(0));
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i] as number;
    if (g < 0) continue;
    const p = pred[i] as number;
    const row = m[g] as number[];
    const col = p < 0 ? K : p;
    row[col] = (row[col] as number) + 1;
  }
  return m;
}
