/**
 * Where the rule is checked for M models: after every model when there are at most `2 * single`;
 * otherwise after each of the first `single` models, then at doubling counts (16, 32, 64, ...),
 * then after all M. Between checkpoints the models are asked in one wave: a wave of several models
 * asks some of them for items that one more answer would have settled, while doubling keeps the
 * number of fitted prefixes small for a hundred models.
 */
export function defaultCheckpoints(M: number, single = 8): number[] {
  if (M <= 2 * single) return Array.from({ length: M }, (_, t) => t + 1);
  const out: number[] = [];
  for (let t = 1; t <= Math.min(M, single); t++) out.push(t);
  for (let t = single * 2; t < M; t *= 2) out.push(t);
  if (out[out.length - 1] !== M) out.push(M);
  return out;
}
