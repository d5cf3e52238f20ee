import { describe, expect, it } from 'vitest';
import { readableCalls } from '../../src/run/readable-calls.js';
import type { ClassificationTask, QaTask, RatingTask, RecordedResponse } from '../../src/task/schema.js';

const items = ['a', 'b', 'c'];

/** `outputs[model][sample]`: that call's output on every item (null: no answer recorded). */
function responses(outputs: Record<string, (string | null)[]>): RecordedResponse[] {
  return items.flatMap((item) =>
    Object.entries(outputs).flatMap(([model, samples]) => samples.flatMap((output, sample) => (output === null ? [] : [{ item, model, output, ...(sample > 0 ? { sample } : {}) }]))),
  );
}

describe('readable answers per (model, sample) call, for every task kind', () => {
  it('classification: a call whose answers read as no label counts none', () => {
    const task: ClassificationTask = { name: 't', kind: 'classification', labels: [{ name: 'yes', aliases: [] }, { name: 'no', aliases: [] }], instructions: '' };
    const calls = readableCalls(task, items.map((id) => ({ id, text: id })), responses({ m1: ['yes', 'qwertyuiop'], m2: ['no'] }));
    expect(calls).toEqual([
      { model: 'm1', sample: 0, readable: 3 },
      { model: 'm1', sample: 1, readable: 0 },
      { model: 'm2', sample: 0, readable: 3 },
    ]);
  });

  it('rating: a score off the scale or no score is unreadable; a call with no recorded answer counts none', () => {
    const task: RatingTask = { name: 't', kind: 'rating', scale: { min: 1, max: 5 }, instructions: '' };
    const calls = readableCalls(task, items.map((id) => ({ id, text: id })), responses({ judge: ['Score: 4', 'no idea'], other: [null, '3'] }));
    expect(calls).toEqual([
      { model: 'judge', sample: 0, readable: 3 },
      { model: 'judge', sample: 1, readable: 0 },
      { model: 'other', sample: 0, readable: 0 },
      { model: 'other', sample: 1, readable: 3 },
    ]);
  });

  it('QA: a numeric answer reads, prose without a number does not', () => {
    const task: QaTask = { name: 't', kind: 'qa', answerType: 'numeric', instructions: '' };
    const calls = readableCalls(task, items.map((id) => ({ id, question: `${id}?` })), responses({ solver: ['The answer is 42.', 'I cannot say.'] }));
    expect(calls.map((c) => c.readable)).toEqual([3, 0]);
  });
});
