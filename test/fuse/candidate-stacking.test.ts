import { describe, expect, it } from 'vitest';
import { selectItems, selectRows } from '../../src/fuse/answer-matrix.js';
import { CANDIDATE_POOLED_FEATURES, CANDIDATE_STACKING_GRID, featurizeCandidates, fitCandidateState, fittedCandidateStacking, innerCandidatePredictions } from '../../src/fuse/candidate-stacking.js';
import { innerFolds } from '../../src/fuse/inner-cv.js';
import { getStrategy } from '../../src/fuse/registry.js';
import { selectGold, trainIndices } from '../../src/validation/folds.js';
import { prepareQa } from '../../src/qa/prepare.js';
import { syntheticFreeFormFolder } from '../qa/synthetic.js';

describe('candidate-wise stacking features', () => {
  it('gives each candidate the log of its smoothed vote share, so one vote to three weighs more than eight to ten', () => {
    const p = prepareQa(syntheticFreeFormFolder(12, [0.8, 0.6, 0.55, 0.5], 3, [2]));
    const m = p.candidates.matrix;
    const { X } = featurizeCandidates(m, m.models);
    const f = m.models.length + CANDIDATE_POOLED_FEATURES.indexOf('log-vote-share');
    const share = m.models.length + CANDIDATE_POOLED_FEATURES.indexOf('vote-share');
    for (let i = 0; i < m.itemIds.length; i++) {
      const shares = new Map<number, number>();
      const logs = new Map<number, number>();
      for (let t = X.tiedStart![i] as number; t < (X.tiedStart![i + 1] as number); t++) {
        if (X.tiedIndex![t] === share) shares.set(X.tiedClass![t] as number, X.tiedValue![t] as number);
        if (X.tiedIndex![t] === f) logs.set(X.tiedClass![t] as number, X.tiedValue![t] as number);
      }
      const c = m.candidates?.[i]?.length ?? 0;
      // Every candidate of an answered item has a (negative) log share, ordered as its share.
      expect(logs.size).toBe(c);
      for (const v of logs.values()) expect(v).toBeLessThan(0);
      for (const [a, va] of logs) for (const [b, vb] of logs) if ((shares.get(a) ?? 0) > (shares.get(b) ?? 0) + 1e-12) expect(va).toBeGreaterThan(vb);
    }
  });

  it('loads a state saved before the log share feature, predicting as with a zero weight on it', () => {
    const p = prepareQa(syntheticFreeFormFolder(60, [0.8, 0.6, 0.55, 0.5], 5, [2, 3]));
    const m = p.candidates.matrix;
    const s = getStrategy('stacking');
    const fitted = s.fit(m, p.goldColumn, { seed: 1, right: p.rightColumns });
    const state = fitted.state() as { weights: number[] };
    const withZero = { ...state, weights: [...state.weights.slice(0, -1), 0] };
    const legacy = { ...state, weights: state.weights.slice(0, -1) };
    expect(Array.from(s.load(legacy, m.labels).predict(m).probs)).toEqual(Array.from(s.load(withZero, m.labels).predict(m).probs));
    expect(() => s.load({ ...state, weights: state.weights.slice(0, -2) }, m.labels)).toThrow(/weights/);
  });

  it('predicts the inner folds with the fit it would use for each C, not one started from the previous C', () => {
    // One strong model, two weak ones that copy each other's wrong answers: a weak penalty gives the strong
    // model a weight the strong penalties shrink away, so the C settings differ and an under-fitted one shows.
    const p = prepareQa(syntheticFreeFormFolder(240, [0.9, 0.5, 0.45, 0.4], 7, [2, 3]));
    const m = p.candidates.matrix;
    const K = m.labels.length;
    const inner = innerCandidatePredictions(m, p.goldColumn, CANDIDATE_STACKING_GRID, 1, p.rightColumns);
    expect(inner).not.toBeNull();
    if (!inner) return;
    const folds = innerFolds(inner.y, 1) as number[][];
    let largest = 0;
    CANDIDATE_STACKING_GRID.forEach((C, idx) => {
      for (const test of folds) {
        const tr = trainIndices(inner.rows.length, test).map((r) => inner.rows[r] as number);
        const at = test.map((r) => inner.rows[r] as number);
        const state = fitCandidateState(selectItems(m, tr), selectGold(p.goldColumn, tr), C, undefined, selectRows(p.rightColumns, K, tr));
        const own = fittedCandidateStacking('stacking', state).predict(selectItems(m, at));
        test.forEach((r, t) => {
          for (let k = 0; k < K; k++) largest = Math.max(largest, Math.abs((inner.probs[idx] as Float64Array)[r * K + k]! - own.probs[t * K + k]!));
        });
      }
    });
    expect(largest).toBeLessThan(1e-6);
  });
});
