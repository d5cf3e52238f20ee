import { describe, expect, it } from 'vitest';
import type { AnswerMatrix } from '../../../src/fuse/answer-matrix.js';
import { askedView, fromView, viewGold } from '../../../src/fuse/adaptive/asked-view.js';

/** Two QA items, three models, per-item candidates; model 0 is the one asked. */
function qa(unasked: [number, number]): AnswerMatrix {
  const K = 3;
  const M = 3;
  const probs = new Float64Array(2 * M * K);
  const say = (i: number, j: number, k: number) => (probs[(i * M + j) * K + k] = 1);
  say(0, 0, 0);
  say(0, 1, unasked[0]);
  say(0, 2, unasked[1]);
  say(1, 0, 1);
  say(1, 1, unasked[0]);
  say(1, 2, unasked[1]);
  return {
    labels: ['candidate-1', 'candidate-2', 'candidate-3'],
    models: ['a', 'b', 'c'],
    itemIds: ['q1', 'q2'],
    probs,
    present: new Uint8Array(2 * M).fill(1),
    candidates: [
      ['4', '5', '6'],
      ['x', 'y', 'z'],
    ],
    centrality: Float64Array.from([0.9, 0.1, 0.3, 0.2, 0.8, 0.5]),
  };
}

describe('asked view (what a policy sees before asking the other models)', () => {
  it('is the same whatever the models not yet asked answered: no candidate, count or centrality of theirs', () => {
    const a = askedView(qa([0, 0]), [0]);
    const b = askedView(qa([2, 1]), [0]);
    expect(a.answers).toEqual(b.answers);
    expect(a.answers.centrality).toBeUndefined();
    expect(a.answers.candidates).toEqual([
      ['4', ''],
      ['y', ''],
    ]);
  });

  it('maps gold and predictions between the view and the full columns, the empty candidate standing for an answer not given yet', () => {
    const v = askedView(qa([2, 1]), [0]);
    expect(Array.from(viewGold(v, Int32Array.from([0, 2])))).toEqual([0, 1]);
    const back = fromView(v, { probs: Float64Array.from([0.7, 0.3, 0.6, 0.4]), decided: Uint8Array.from([1, 1]) });
    expect(Array.from(back.probs)).toEqual([0.7, 0, 0, 0, 0.6, 0]);
  });

  it('keeps a fixed label set as it is, without the centrality', () => {
    const { candidates: _c, ...shared } = qa([1, 2]);
    const v = askedView(shared, [0, 2]);
    expect(v.columns).toBeNull();
    expect(v.answers.labels).toEqual(shared.labels);
    expect(v.answers.models).toEqual(['a', 'c']);
    expect(v.answers.centrality).toBeUndefined();
  });
});
