import { type AnswerMatrix, hardVote } from '../fuse/answer-matrix.js';

/** Cohen's kappa between two raters' hard labels, over items both labelled (-1 = no label). */
export function cohensKappa(a: Int32Array, b: Int32Array, K: number): number {
  const pa = new Float64Array(K);
  const pb = new Float64Array(K);
  let n = 0;
  let agree = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x < 0 || y < 0) continue;
    n++;
    if (x === y) agree++;
    pa[x] = (pa[x] as number) + 1;
    pb[y] = (pb[y] as number) + 1;
  }
  if (n === 0) return Number.NaN;
  let pe = 0;
  for (let k = 0; k < K; k++) pe += ((pa[k] as number) / n) * ((pb[k] as number) / n);
  const po = agree / n;
  // Both raters gave one and the same constant label: kappa is 0/0; call it perfect agreement.
  if (pe === 1) return po === 1 ? 1 : 0;
  return (po - pe) / (1 - pe);
}

/**
 * Fleiss' kappa for many raters, generalised to a varying number of raters per item (items with
 * fewer than two answers are skipped), as in Fleiss (1971) with per-item n_i.
 */
export function fleissKappa(votes: readonly Int32Array[], K: number): number {
  const n = votes[0]?.length ?? 0;
  const total = new Float64Array(K);
  let assignments = 0;
  let pSum = 0;
  let items = 0;
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    counts.fill(0);
    let ni = 0;
    for (const v of votes) {
      const k = v[i] as number;
      if (k < 0) continue;
      counts[k] = (counts[k] as number) + 1;
      ni++;
    }
    if (ni < 2) continue;
    let sq = 0;
    for (let k = 0; k < K; k++) {
      const c = counts[k] as number;
      sq += c * c;
      total[k] = (total[k] as number) + c;
    }
    assignments += ni;
    pSum += (sq - ni) / (ni * (ni - 1));
    items++;
  }
  if (items === 0) return Number.NaN;
  const pBar = pSum / items;
  let pe = 0;
  for (let k = 0; k < K; k++) pe += ((total[k] as number) / assignments) ** 2;
  if (pe === 1) return pBar === 1 ? 1 : 0;
  return (pBar - pe) / (1 - pe);
}

/** Each model's hard votes as a column (-1 where it abstained). */
export function voteColumns(answers: AnswerMatrix): Int32Array[] {
  const N = answers.itemIds.length;
  return answers.models.map((_, j) => {
    const col = new Int32Array(N);
    for (let i = 0; i < N; i++) col[i] = hardVote(answers, i, j);
    return col;
  });
}

/** Share of labelled items that at least one model got right. */
export function oracleRate(answers: AnswerMatrix, gold: Int32Array): number {
  const columns = voteColumns(answers);
  let n = 0;
  let hit = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i] as number;
    if (g < 0) continue;
    n++;
    if (columns.some((c) => c[i] === g)) hit++;
  }
  return n === 0 ? 0 : hit / n;
}
