import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyMatrix, setAnswer } from '../../src/fuse/answer-matrix.js';
import { toSavedStrategy, writeSavedStrategy } from '../../src/fuse/saved-strategy.js';
import { stackingTextStrategy } from '../../src/fuse/stacking-text.js';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import type { RawModelAnswer } from '../../src/run/ask-item.js';
import { fuseItems } from '../../src/kinds/classification/rows.js';
import { chooseStrategy } from '../../src/run/strategy-choice.js';
import type { ClassificationTask } from '../../src/task/schema.js';

const task: ClassificationTask = { name: 'food', kind: 'classification', labels: [{ name: 'neg', aliases: [] }, { name: 'pos', aliases: [] }], instructions: 'Sentiment?' };
const labels = ['neg', 'pos'];

describe('fuseItems with a saved text-reading strategy', () => {
  it('hands the item texts to the strategy, so the words decide between two disagreeing models as in training', () => {
    // A and B are equally reliable; where they disagree the text names the right label.
    const fillers = ['soup', 'pizza', 'salad', 'noodles', 'steak'];
    const n = 80;
    const train = { ...emptyMatrix(labels, ['A', 'B'], Array.from({ length: n }, (_, i) => `t${i}`)), texts: [] as string[] };
    const gold = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const label = i % 2;
      const kind = Math.floor(i / 2) % 4;
      setAnswer(train, i, 0, (kind === 3 ? 1 - label : label) === 1 ? [0, 1] : [1, 0]);
      setAnswer(train, i, 1, (kind === 2 ? 1 - label : label) === 1 ? [0, 1] : [1, 0]);
      gold[i] = label;
      train.texts.push(`the ${fillers[i % 5]} was ${label === 1 ? 'great' : 'awful'}`);
    }
    const fitted = stackingTextStrategy.fit(train, gold, { seed: 1 });
    const file = join(mkdtempSync(join(tmpdir(), 'fusion-')), 'text.json');
    writeSavedStrategy(file, toSavedStrategy(fitted, { strategy: stackingTextStrategy.name, task: task.name, labels, models: ['A', 'B'] }));

    const answers: RawModelAnswer[] = [
      { model: 'A', status: 'ok', output: 'pos', cached: false },
      { model: 'B', status: 'ok', output: 'neg', cached: false },
    ];
    const lines = fuseItems(
      task,
      ['A', 'B'],
      [
        { id: 'x', text: 'the curry was great', answers },
        { id: 'y', text: 'the curry was awful', answers },
      ],
      createClassificationNormalizer(task),
      chooseStrategy(file, task),
    );
    expect(lines.map((l) => l.label)).toEqual(['pos', 'neg']);
  });
});

describe('fuseItems with --min-confidence', () => {
  it('returns no label with reason no-consensus when the fused winner is below the threshold', () => {
    const split: RawModelAnswer[] = [
      { model: 'A', status: 'ok', output: 'pos', cached: false },
      { model: 'B', status: 'ok', output: 'neg', cached: false },
      { model: 'C', status: 'ok', output: 'pos', cached: false },
    ];
    const agree: RawModelAnswer[] = split.map((a) => ({ ...a, output: 'pos' }));
    const silent: RawModelAnswer[] = split.map((a) => ({ ...a, status: 'failed' as const, output: '', error: 'x' }));
    const items = [
      { id: 'split', answers: split },
      { id: 'agree', answers: agree },
      { id: 'silent', answers: silent },
    ];
    const fuse = (p?: number) => fuseItems(task, ['A', 'B', 'C'], items, createClassificationNormalizer(task), chooseStrategy('majority-vote', task, 1, p === undefined ? {} : { minConfidence: p }));
    expect(fuse().map((l) => l.label)).toEqual(['pos', 'pos', null]);
    const lines = fuse(0.9);
    expect(lines.map((l) => l.label)).toEqual([null, 'pos', null]);
    // The silent item had no readable answer at all: that is not a lack of consensus, and it says so.
    expect(lines.map((l) => l.abstain)).toEqual(['no-consensus', undefined, 'no-answer']);
    expect(fuse().map((l) => l.abstain)).toEqual([undefined, undefined, 'no-answer']);
    expect(lines[0]?.distribution).toEqual({});
  });
});
