import { seededRandom, shuffleInPlace } from '../util/random.js';

/**
 * Stratified k-fold: returns `folds` arrays of test indices that partition 0..n-1, each class
 * spread evenly across folds (as scikit-learn's StratifiedKFold with shuffling). Items with
 * gold -1 (unlabelled) are spread like one more class. Folds are sorted ascending.
 */
export function stratifiedKFold(gold: Int32Array, folds: number, seed: number): number[][] {
  const n = gold.length;
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds must be an integer >= 2, got ${folds}`);
  if (folds > n) throw new RangeError(`cannot make ${folds} folds from ${n} items`);
  const random = seededRandom(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = gold[i] as number;
    const list = byClass.get(g);
    if (list) list.push(i);
    else byClass.set(g, [i]);
  }
  const out: number[][] = Array.from({ length: folds }, () => []);
  // Continue the round-robin across classes so fold sizes stay within one of each other.
  let next = 0;
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = shuffleInPlace(byClass.get(cls) as number[], random);
    for (const i of members) {
      (out[next] as number[]).push(i);
      next = (next + 1) % folds;
    }
  }
  for (const f of out) f.sort((a, b) => a - b);
  return out;
}

/** Plain seeded k-fold (no labels): for QA items or unlabelled data. */
export function kFold(n: number, folds: number, seed: number): number[][] {
  return stratifiedKFold(new Int32Array(n), folds, seed);
}

/** The complement of a test fold in 0..n-1, ascending. */
export function trainIndices(n: number, test: readonly number[]): number[] {
  const inTest = new Uint8Array(n);
  for (const i of test) inTest[i] = 1;
  const train: number[] = [];
  for (let i = 0; i < n; i++) if (inTest[i] === 0) train.push(i);
  return train;
}

export function selectGold(gold: Int32Array, rows: readonly number[]): Int32Array {
  const out = new Int32Array(rows.length);
  rows.forEach((i, r) => {
    out[r] = gold[i] as number;
  });
  return out;
}

/**
 * Grouped k-fold: test folds that partition 0..n-1 and never split a group (items with the same
 * non-null key; null = an item on its own), so a model is never tested on an item whose siblings
 * (the same text rated on another criterion) it was trained on. Groups are shuffled with the seed
 * and each goes to the fold with the fewest items so far, so fold sizes stay close. Fewer folds
 * when there are fewer groups; throws below two groups. Folds are sorted ascending.
 */
export function groupedKFold(groups: readonly (string | null)[], folds: number, seed: number): number[][] {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds must be an integer >= 2, got ${folds}`);
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const key = g === null ? `\u0000${i}` : `g:${g}`;
    const list = members.get(key);
    if (list) list.push(i);
    else members.set(key, [i]);
  });
  const k = Math.min(folds, members.size);
  if (k < 2) throw new RangeError(`cannot make ${folds} folds from ${members.size} group(s)`);
  const order = shuffleInPlace([...members.values()], seededRandom(seed));
  const out: number[][] = Array.from({ length: k }, () => []);
  for (const list of order) {
    let smallest = 0;
    for (let f = 1; f < k; f++) if ((out[f] as number[]).length < (out[smallest] as number[]).length) smallest = f;
    (out[smallest] as number[]).push(...list);
  }
  for (const f of out) f.sort((a, b) => a - b);
  return out;
}
