import { describe, expect, it } from 'vitest';
import { checkMixture, type CheckCandidate, mixPredictions } from '../../src/fuse/mixture-check.js';
import { fitMixtureWeights, pruneWeights } from '../../src/fuse/mixture-weights.js';
import type { FusedPrediction } from '../../src/fuse/strategy.js';
import { fitTieGate, gatePrediction, TIE_MARGIN, tiedRows } from '../../src/fuse/tie-gate.js';
import { seededRandom } from '../../src/util/random.js';

const K = 2;

/**
 * The shape of mot-gsm8k's two-against-two splits, as candidate predictions on inner rows: most
 * items easy (every candidate right); a few rows where two strong pairs of samples split, the
 * first pair always right: `central` is tied there (its tie broken by a nudge toward the wrong
 * side), a label-free Dawid-Skene leans to the wrong pair, the weighted vote and the best single
 * model (which learned the first pair is better) are right; a few hard rows where the weighted
 * vote and the best model are confidently wrong and central and Dawid-Skene right, which is what
 * keeps the likelihood fit's weight off them, and a few where only central is right, which makes
 * it the heaviest; and junk candidates with no relation to the truth.
 * With `dsRightOnSplits` the label-free component and central's tie-break lean the right way: the control world.
 */
function world(seed: number, n: number, dsRightOnSplits = false): { candidates: CheckCandidate[]; gold: Int32Array; splits: number[] } {
  const r = seededRandom(seed);
  const gold = Int32Array.from({ length: n }, () => (r() < 0.5 ? 0 : 1));
  const names = ['central', 'dawid-skene-one-coin', 'weighted-vote', 'best-model', 'junk1', 'junk2', 'junk3'];
  const probs = names.map(() => new Float64Array(n * K));
  const set = (c: number, i: number, onGold: number) => {
    const g = gold[i] as number;
    (probs[c] as Float64Array)[i * K + g] = onGold;
    (probs[c] as Float64Array)[i * K + (1 - g)] = 1 - onGold;
  };
  const splits: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < 0.03) {
      splits.push(i);
      set(0, i, dsRightOnSplits ? 0.5 + 5e-10 : 0.5 - 5e-10);
      set(1, i, dsRightOnSplits ? 0.84 : 0.16);
      set(2, i, 0.73);
      set(3, i, 1);
    } else if (u < 0.06) {
      set(0, i, 0.8);
      set(1, i, 0.9);
      set(2, i, 0.01);
      set(3, i, 0);
    } else if (u < 0.09) {
      set(0, i, 0.7);
      set(1, i, 0.02);
      set(2, i, 0.01);
      set(3, i, 0);
    } else {
      set(0, i, 0.97);
      set(1, i, 0.99);
      set(2, i, 0.9);
      set(3, i, 1);
    }
    for (let c = 4; c < names.length; c++) set(c, i, 0.3 + 0.4 * r());
  }
  const decided = new Uint8Array(n).fill(1);
  return { candidates: names.map((name, c) => ({ name, probs: probs[c] as Float64Array, decided, likelihood: probs[c] as Float64Array })), gold, splits };
}

const accuracyOn = (rows: ArrayLike<number>, gold: Int32Array, p: FusedPrediction) => {
  let right = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    const top = (p.probs[i * K + 1] as number) > (p.probs[i * K] as number) ? 1 : 0;
    if (p.decided[i] === 1 && top === gold[i]) right++;
  }
  return rows.length > 0 ? right / rows.length : 0;
};

/** Accuracy on the check's rows, the prediction's rows aligned to `rows` (as `checkMixture` scores). */
const rowScore = (gold: Int32Array) => (rows: ArrayLike<number>, p: FusedPrediction) => {
  let right = 0;
  for (let r = 0; r < rows.length; r++) {
    const top = (p.probs[r * K + 1] as number) > (p.probs[r * K] as number) ? 1 : 0;
    if (p.decided[r] === 1 && top === gold[rows[r] as number]) right++;
  }
  return rows.length > 0 ? right / rows.length : 0;
};

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Fits the plain mixture and its gate on `train`, and decides the rows of a fresh world with both. */
function onFresh(train: ReturnType<typeof world>, fresh: ReturnType<typeof world>) {
  const weights = pruneWeights(fitMixtureWeights(train.candidates.map((c) => c.likelihood), train.gold, K));
  const gate = fitTieGate(train.candidates, train.gold, K, all(train.gold.length), weights);
  const n = fresh.gold.length;
  const plain = mixPredictions(fresh.candidates, weights, n, K);
  const gated = gate ? gatePrediction(plain, fresh.candidates.map((c) => c.probs), gate, K) : plain;
  return { weights, gate, plain: accuracyOn(fresh.splits, fresh.gold, plain), gated: accuracyOn(fresh.splits, fresh.gold, gated), plainAll: accuracyOn(all(n), fresh.gold, plain), gatedAll: accuracyOn(all(n), fresh.gold, gated) };
}

describe('tie gate: the rows where the heaviest component is tied are decided by weights fitted on such rows', () => {
  it('mot-gsm8k shape: the likelihood fit leaves central\'s ties to what is no evidence about them, and they fall the wrong way; the gate breaks them the right way', () => {
    let plainWrong = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const train = world(seed, 320);
      const r = onFresh(train, world(seed + 100, 2000));
      // The mechanism is real: central is the heaviest, and where the likelihood leaves the right
      // tie-breakers too light the plain mixture decides the splits the wrong way (by a nudge or the label-free component).
      expect(r.weights[0]).toBe(Math.max(...r.weights));
      if (r.plain < 0.5) plainWrong++;
      expect(r.gate?.of).toBe(0);
      expect(r.gated).toBe(1);
      expect(r.gatedAll).toBeGreaterThanOrEqual(r.plainAll);
      // The check keeps the gate, held out on the training rows alone, and sees it win where the plain mixture loses.
      const check = checkMixture(train.candidates, train.gold, K, rowScore(train.gold), seed);
      expect(check.tieGate).toBe(true);
      if (r.plain < 0.5) expect(check.gateScores?.gated).toBeGreaterThan(check.gateScores?.plain as number);
    }
    expect(plainWrong).toBeGreaterThanOrEqual(3);
  });

  it('control: where the plain mixture already breaks the ties right, the gate decides every row as well', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const r = onFresh(world(seed, 320, true), world(seed + 100, 2000, true));
      expect(r.plain).toBe(1);
      expect(r.gated).toBe(1);
      expect(r.gatedAll).toBeGreaterThanOrEqual(r.plainAll);
    }
  });

  it('no tied row in the training rows: no gate', () => {
    const w = world(1, 200);
    const rows = all(200).filter((i) => !w.splits.includes(i));
    const weights = pruneWeights(fitMixtureWeights(w.candidates.map((c) => c.likelihood), w.gold, K));
    expect(fitTieGate(w.candidates, w.gold, K, rows, weights)).toBeNull();
  });

  it('a tie is a top margin no larger than the strategies\' own tie-breaks; a real preference is none', () => {
    const p = Float64Array.from([0.5, 0.5, 0.5 + TIE_MARGIN / 4, 0.5 - TIE_MARGIN / 4, 0.51, 0.49, 0, 0]);
    expect(Array.from(tiedRows(p, 4, K))).toEqual([1, 1, 0, 0]);
  });
});
