/**
 * Where the rule is checked for M models: after every model when there are at most `2 * single`;
 * otherwise after each of the first `single` models, then at doubling counts (16, 32, 64, ...),
 * then after all M. Between checkpoints the models are asked in one wave: a wave of several models
 * asks some of them for items that one more answer would have settled, while doubling keeps the
 * number of fitted prefixes small for a hundred models.
 */
export function defaultCheckpoints(M: number, single = 8, growth = 2): number[] {
  if (M <= 2 * single) return Array.from({ length: M }, (_, t) => t + 1);
  const out: number[] = [];
  for (let t = 1; t <= Math.min(M, single); t++) out.push(t);
  // `growth` below 2 (e.g. the square root of 2) puts a checkpoint between each doubling: more prefix fits, smaller waves.
  for (let t = single * growth; Math.round(t) < M; t *= growth) if (Math.round(t) > (out[out.length - 1] as number)) out.push(Math.round(t));
  if (out[out.length - 1] !== M) out.push(M);
  return out;
}
