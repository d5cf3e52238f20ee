import { describe, expect, it } from 'vitest';
import { type RawModelAnswer, askedOf, cutShort } from '../../src/run/ask-item.js';

const ok = (model: string): RawModelAnswer => ({ model, status: 'ok', output: 'A', cached: false });
const skipped = (model: string, reason: 'interrupted' | 'budget' | 'not-needed'): RawModelAnswer => ({ model, status: 'skipped', error: 'not asked', reason });

describe('what a line says an adaptive policy asked', () => {
  it('is the replayed count and rule when the policy stopped by itself', () => {
    const answers = [ok('a'), ok('b'), skipped('c', 'not-needed')];
    expect(cutShort(answers)).toBeUndefined();
    expect(askedOf(answers, 2, 'settled')).toEqual({ asked: 2, stopped: 'settled' });
  });

  it('is the models really asked, and the run stop, when an interrupt or the budget cut the item short', () => {
    expect(askedOf([ok('a'), skipped('b', 'interrupted'), skipped('c', 'not-needed')], 3, 'all-asked')).toEqual({ asked: 1, stopped: 'interrupted' });
    expect(askedOf([ok('a'), { model: 'b', status: 'failed', error: 'HTTP 500' }, skipped('c', 'budget')], 3, 'all-asked')).toEqual({ asked: 2, stopped: 'budget' });
    expect(askedOf([skipped('a', 'interrupted'), skipped('b', 'interrupted')], 2, 'confident')).toEqual({ asked: 0, stopped: 'interrupted' });
  });
});
