/**
 * Where the rule is checked for M models: after each of the first `single` models, then at
 * roughly 1.5x steps (12, 16, 24, 32, 48, 64, ...), then after all M. Between checkpoints the
 * models are asked in one wave; the steps keep the number of fitted prefixes small for 100 models.
 */
export function defaultCheckpoints(M: number, single = 8): number[] {
  const out: number[] = [];
  for (let t = 1; t <= Math.min(M, single); t++) out.push(t);
  let t = single;
  while (t < M) {
    t = t % 3 === 0 ? (t / 3) * 4 : (t / 2) * 3;
    t = Math.ceil(t);
    if (t < M) out.push(t);
  }
  if (out[out.length - 1] !== M) out.push(M);
  return out;
}
