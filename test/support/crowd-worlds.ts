import { type AnswerMatrix, emptyMatrix } from '../../src/fuse/answer-matrix.js';
import { seededRandom } from '../../src/util/random.js';

/**
 * Synthetic crowds with known truth, for unsupervised fusion (Dawid-Skene) at the scale of the
 * recorded `-all` sets: a hundred voters or more, of the kinds real model crowds contain.
 */
export type VoterKind =
  /** Right with an accuracy drawn in [min, max]; wrong answers go to the item's attractor with probability `attraction`, else to the voter's own habitual wrong labels. */
  | { kind: 'skilled'; count: number; min: number; max: number; attraction?: number }
  /** A family: a hidden leader answers as a skilled voter of `accuracy`; each member repeats it with probability `fidelity`, else answers on its own with the same accuracy. */
  | { kind: 'copies'; count: number; accuracy: number; fidelity: number; attraction?: number }
  /** Answers uniformly at random. */
  | { kind: 'spammer'; count: number }
  /** Answers `label` with probability `share` (default 1), else at random. */
  | { kind: 'one-label'; count: number; label: number; share?: number }
  /** Names a wrong label on purpose: the truth's successor with probability `strength`, else at random. */
  | { kind: 'adversarial'; count: number; strength: number }
  /** Answers `label` with probability `bias` whatever the truth, else as a skilled voter of `accuracy`. */
  | { kind: 'biased'; count: number; label: number; bias: number; accuracy: number };

export interface WorldSpec {
  name: string;
  items: number;
  /** Class weights (normalized); their length is the number of labels. */
  classes: number[];
  voters: VoterKind[];
  /** Share of answers missing. */
  abstain?: number;
}

export interface World {
  spec: WorldSpec;
  matrix: AnswerMatrix;
  gold: Int32Array;
  /** The kind of each voter, in column order. */
  kinds: string[];
}

export function makeWorld(spec: WorldSpec, seed: number): World {
  const random = seededRandom(seed);
  const K = spec.classes.length;
  const N = spec.items;
  const total = spec.classes.reduce((a, b) => a + b, 0);
  const draw = (weights: ArrayLike<number>, sum: number): number => {
    let u = random() * sum;
    for (let k = 0; k < weights.length - 1; k++) {
      u -= weights[k] as number;
      if (u < 0) return k;
    }
    return weights.length - 1;
  };
  const gold = Int32Array.from({ length: N }, () => draw(spec.classes, total));
  // Each item's most tempting wrong answer, shared by every voter that errs toward it.
  const attractor = Int32Array.from(gold, (t) => (t + 1 + Math.floor(random() * (K - 1))) % K);
  /** A skilled voter's answer: its habit is a weight per label, used for errors that are not drawn to the attractor. */
  const skilled = (i: number, acc: number, attraction: number, habit: Float64Array): number => {
    const t = gold[i] as number;
    if (random() < acc) return t;
    if (K === 2 || random() < attraction) return attractor[i] as number;
    const w = Float64Array.from(habit, (h, k) => (k === t ? 0 : h));
    return draw(w, w.reduce((a, b) => a + b, 0));
  };
  const habitOf = () => Float64Array.from({ length: K }, () => 0.2 + random());
  const columns: ((i: number) => number)[] = [];
  const kinds: string[] = [];
  const models: string[] = [];
  for (const [g, v] of spec.voters.entries()) {
    if (v.kind === 'copies') {
      const leader = habitOf();
      const lead = Int32Array.from({ length: N }, (_, i) => skilled(i, v.accuracy, v.attraction ?? 0.5, leader));
      for (let c = 0; c < v.count; c++) {
        const own = habitOf();
        columns.push((i) => (random() < v.fidelity ? (lead[i] as number) : skilled(i, v.accuracy, v.attraction ?? 0.5, own)));
      }
    } else {
      for (let c = 0; c < v.count; c++) {
        if (v.kind === 'skilled') {
          const acc = v.min + (v.max - v.min) * random();
          const habit = habitOf();
          columns.push((i) => skilled(i, acc, v.attraction ?? 0.5, habit));
        } else if (v.kind === 'spammer') columns.push(() => Math.floor(random() * K));
        else if (v.kind === 'one-label') columns.push(() => (random() < (v.share ?? 1) ? v.label : Math.floor(random() * K)));
        else if (v.kind === 'adversarial') columns.push((i) => (random() < v.strength ? ((gold[i] as number) + 1) % K : Math.floor(random() * K)));
        else {
          const habit = habitOf();
          columns.push((i) => (random() < v.bias ? v.label : skilled(i, v.accuracy, 0.5, habit)));
        }
      }
    }
    for (let c = 0; c < v.count; c++) {
      kinds.push(v.kind);
      models.push(`${v.kind}-${g}-${c}`);
    }
  }
  const labels = Array.from({ length: K }, (_, k) => `label-${k}`);
  const matrix = emptyMatrix(labels, models, Array.from({ length: N }, (_, i) => `item-${i}`));
  const M = models.length;
  const abstain = spec.abstain ?? 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < M; j++) {
      const k = (columns[j] as (i: number) => number)(i);
      if (abstain > 0 && random() < abstain) continue;
      matrix.probs[(i * M + j) * K + k] = 1;
      matrix.present[i * M + j] = 1;
    }
  }
  return { spec, matrix, gold, kinds };
}
