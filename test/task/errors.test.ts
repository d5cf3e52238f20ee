import { describe, expect, it } from 'vitest';
import { UnsupportedKindError } from '../../src/task/errors.js';

describe('UnsupportedKindError', () => {
  it('names every kind this version supports, rating included', () => {
    expect(new UnsupportedKindError('task.json', 'ranking').message).toBe('task.json: kind: kind "ranking" is not supported yet by this version of llm-fusion (supported: classification, qa, rating)');
  });
});
