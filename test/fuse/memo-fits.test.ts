import { describe, expect, it } from 'vitest';
import { BoundedMemo, contentKey } from '../../src/fuse/memo-fits.js';
import { crossValidateConfigs, featurize, fitConfig, layoutFor } from '../../src/fuse/stacking.js';
import { syntheticAnswers } from '../../src/fuse/synthetic-answers.js';
import { stratifiedKFold } from '../../src/validation/folds.js';

describe('content memo', () => {
  it('keys by the bytes of typed arrays and the JSON of the rest', () => {
    expect(contentKey([Float64Array.from([1, 2]), 'a'])).toBe(contentKey([Float64Array.from([1, 2]), 'a']));
    expect(contentKey([Float64Array.from([1, 2]), 'a'])).not.toBe(contentKey([Float64Array.from([1, 3]), 'a']));
    expect(contentKey([[1], [2]])).not.toBe(contentKey([[1, 2]]));
  });

  it('drops the least recently used entries beyond its byte budget and never keeps what exceeds it alone', () => {
    const memo = new BoundedMemo<Float64Array>(32, (v) => v.byteLength);
    memo.set('a', new Float64Array(2));
    memo.set('b', new Float64Array(2));
    expect(memo.get('a')).toBeDefined(); // a is now the most recent
    memo.set('c', new Float64Array(2));
    expect(memo.get('b')).toBeUndefined();
    expect(memo.get('a')).toBeDefined();
    expect(memo.get('c')).toBeDefined();
    memo.set('huge', new Float64Array(5));
    expect(memo.get('huge')).toBeUndefined();
    expect(memo.get('a')).toBeDefined();
  });

  it('runs a stacking grid\'s inner cross-validation once per content and hands out copies', () => {
    const { matrix, gold } = syntheticAnswers({ items: 120, models: 5, labels: 3, seed: 4 });
    const { X } = featurize(matrix, layoutFor(matrix, true, true));
    const folds = stratifiedKFold(gold, 3, 1);
    const configs = [{ C: 1, classWeighting: 'none' as const }];
    const first = crossValidateConfigs(X, gold, 3, folds, configs);
    const firstValues = Array.from(first[0] as Float64Array);
    (first[0] as Float64Array).fill(0);
    const second = crossValidateConfigs(X, gold, 3, folds, configs);
    expect(Array.from(second[0] as Float64Array)).toEqual(firstValues);
    const otherFolds = crossValidateConfigs(X, gold, 3, stratifiedKFold(gold, 3, 2), configs);
    expect(Array.from(otherFolds[0] as Float64Array)).not.toEqual(firstValues);
  });

  it('fits a stacking setting once per content and hands out copies', () => {
    const { matrix, gold } = syntheticAnswers({ items: 90, models: 4, labels: 3, seed: 6 });
    const { X } = featurize(matrix, layoutFor(matrix, true, true));
    const config = { C: 1, classWeighting: 'none' as const };
    const first = fitConfig(X, gold, 3, config);
    const want = Array.from(first.coef);
    first.coef.fill(0);
    expect(Array.from(fitConfig(X, gold, 3, config).coef)).toEqual(want);
    expect(Array.from(fitConfig(X, gold, 3, { C: 0.1, classWeighting: 'none' }).coef)).not.toEqual(want);
  });
});
