/**
 * Indices of the points no other point dominates, where lower `x` (cost) and higher `y` (quality)
 * are better: a point is dominated when another is at least as cheap and at least as good, and
 * strictly better on one of the two.
 */
export function paretoFront(points: readonly { x: number; y: number }[]): number[] {
  const out: number[] = [];
  points.forEach((p, i) => {
    const dominated = points.some((q, j) => j !== i && q.x <= p.x && q.y >= p.y && (q.x < p.x || q.y > p.y));
    if (!dominated) out.push(i);
  });
  return out;
}
