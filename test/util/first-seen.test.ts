import { describe, expect, it } from 'vitest';
import { firstSeen } from '../../src/util/first-seen.js';

describe('firstSeen', () => {
  it('lists distinct values in order of first appearance, with each one\'s index', () => {
    const { list, index } = firstSeen(['b', 'a', 'b', 'c', 'a']);
    expect(list).toEqual(['b', 'a', 'c']);
    expect([...index]).toEqual([['b', 0], ['a', 1], ['c', 2]]);
  });
});
