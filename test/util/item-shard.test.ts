import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardOf } from '../../src/util/item-shard.js';

describe('--shard K/N', () => {
  const ids = Array.from({ length: 3000 }, (_, i) => `item-${i}`);

  it('puts every id in exactly one shard, by the id alone (any order, any subset of the input)', () => {
    for (const n of [1, 2, 3, 7]) {
      const shards = Array.from({ length: n }, (_, k) => ids.filter((id) => inShard(id, { index: k, count: n })));
      expect(shards.flat().sort()).toEqual([...ids].sort());
      const reversed = [...ids].reverse();
      for (let k = 0; k < n; k++) expect(reversed.filter((id) => inShard(id, { index: k, count: n })).sort()).toEqual([...(shards[k] ?? [])].sort());
    }
    expect(shardOf('item-17', 5)).toBe(shardOf('item-17', 5));
  });

  it('spreads ids that differ in one character evenly', () => {
    const n = 4;
    const counts = Array.from({ length: n }, (_, k) => ids.filter((id) => shardOf(id, n) === k).length);
    // Binomial(3000, 1/4): a standard deviation of about 24; 6 of them is far beyond chance.
    for (const c of counts) expect(Math.abs(c - ids.length / n)).toBeLessThan(6 * Math.sqrt((ids.length * 3) / 16));
  });

  it('refuses what is not K/N with 0 <= K < N', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    for (const bad of ['3/3', '1/0', '-1/2', 'a/b', '1', '1/2/3', '']) expect(parseShard(bad)).toHaveProperty('error');
  });
});
