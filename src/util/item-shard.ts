import { createHash } from 'node:crypto';

/** Worker `index` of `count` (`--shard K/N`): K in 0..N-1. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Which of `count` shards an item id belongs to: the first 8 bytes of its SHA-256, modulo count.
 * A function of the id alone, so every worker agrees whatever order or subset of the input it
 * reads, and ids spread evenly whatever they look like.
 */
export function shardOf(id: string, count: number): number {
  const digest = createHash('sha256').update(id, 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(count));
}

export function inShard(id: string, shard: Shard): boolean {
  return shard.count === 1 || shardOf(id, shard.count) === shard.index;
}

/** Parses `K/N`; undefined with the reason when it is not two integers with 0 <= K < N. */
export function parseShard(text: string): Shard | { error: string } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return { error: `--shard ${text}: expected K/N, e.g. --shard 0/4 (worker 0 of 4)` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) return { error: `--shard ${text}: N must be at least 1` };
  if (!Number.isSafeInteger(count)) return { error: `--shard ${text}: N must be at most ${Number.MAX_SAFE_INTEGER}` };
  if (index >= count) return { error: `--shard ${text}: K must be between 0 and N-1 (${count - 1})` };
  return { index, count };
}
