import { describe, expect, it } from 'vitest';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import type { NormalizedLabel } from '../../src/normalize/types.js';
import { TASKS } from './fixtures.js';

/** The label read (its name) or `!reason`. */
function reads(normalize: ReturnType<typeof createClassificationNormalizer>, names: readonly string[], output: string): string {
  const r: NormalizedLabel = normalize({ output });
  if (r.kind !== 'label') return `!${r.reason}`;
  const d = Array.from(r.dist);
  return names[d.indexOf(Math.max(...d))] as string;
}

describe('numeric labels (1-5 stars, topic codes): a number the model did not give as one label is no label', () => {
  const stars = createClassificationNormalizer(TASKS.rating);
  const starNames = TASKS.rating.labels.map((l) => l.name);
  const policy = createClassificationNormalizer(TASKS.policy);
  const policyNames = TASKS.policy.labels.map((l) => l.name);

  it('a minus sign makes another number: -1 is out of the set, never the label 1', () => {
    expect(reads(stars, starNames, '-1')).toBe('!out-of-set');
    expect(reads(stars, starNames, 'Rating: -2')).toBe('!out-of-set');
    expect(reads(policy, policyNames, '-3')).toBe('!out-of-set');
    // A dash that marks a list item or stands between words is no sign.
    expect(reads(stars, starNames, '- 4')).toBe('4');
    expect(reads(stars, starNames, 'Rating: 4')).toBe('4');
  });

  it('a range of labels is several answers, never its first end', () => {
    expect(reads(stars, starNames, '3-4')).toBe('!ambiguous');
    expect(reads(stars, starNames, '3 - 4 stars')).toBe('!ambiguous');
    expect(reads(stars, starNames, '5-6')).toBe('!ambiguous');
    expect(reads(policy, policyNames, 'Answer: 3-4')).toBe('!ambiguous');
    // A single label still reads.
    expect(reads(stars, starNames, '4 stars')).toBe('4');
    expect(reads(stars, starNames, '3')).toBe('3');
    expect(reads(policy, policyNames, '3')).toBe('health');
  });
});
