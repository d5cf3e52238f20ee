/** Index of the largest of the K values starting at `offset`; ties go to the lowest index (task label order). */
export function argmax(values: ArrayLike<number>, offset: number, K: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let k = 0; k < K; k++) {
    const v = values[offset + k] as number;
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return best;
}
