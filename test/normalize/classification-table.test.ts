import { describe, expect, it } from 'vitest';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import type { NormalizedLabel } from '../../src/normalize/types.js';
import { CASES } from './cases.js';
import { TASKS } from './fixtures.js';

function show(n: NormalizedLabel, labels: readonly { name: string }[]): string {
  if (n.kind === 'abstain') return `!${n.reason}`;
  let best = 0;
  for (let k = 1; k < n.dist.length; k++) if ((n.dist[k] as number) > (n.dist[best] as number)) best = k;
  return labels[best]?.name ?? '?';
}

describe('classification normalizer on real-looking answers', () => {
  const normalizers = Object.fromEntries(Object.entries(TASKS).map(([name, task]) => [name, createClassificationNormalizer(task)]));

  it('has at least 150 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
  });

  it.each(CASES)('%s: %j -> %s', (task, output, expected) => {
    const n = (normalizers[task] as (a: { output: string }) => NormalizedLabel)({ output });
    expect(show(n, TASKS[task].labels)).toBe(expected);
  });
});
