/**
 * Where the rule is checked for M models: after each of the first `single` models, then at
 * doubling counts (16, 32, 64, ...), then after all M. Between checkpoints the models are asked in
 * one wave; doubling keeps the number of fitted prefixes small for a hundred models.
 */
export function defaultCheckpoints(M: number, single = 8): number[] {
  const out: number[] = [];
  for (let t = 1; t <= Math.min(M, single); t++) out.push(t);
  for (let t = single * 2; t < M; t *= 2) out.push(t);
  if (out[out.length - 1] !== M) out.push(M);
  return out;
}
