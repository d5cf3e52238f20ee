/** The distinct values in order of first appearance, and each one's index in that list (e.g. the models of recorded responses). */
export function firstSeen<T>(values: Iterable<T>): { list: T[]; index: Map<T, number> } {
  const list: T[] = [];
  const index = new Map<T, number>();
  for (const v of values) {
    if (index.has(v)) continue;
    index.set(v, list.length);
    list.push(v);
  }
  return { list, index };
}
