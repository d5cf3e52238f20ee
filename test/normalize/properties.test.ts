import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import type { NormalizedLabel } from '../../src/normalize/types.js';
import type { Label } from '../../src/task/schema.js';

const NAMES = ['positive', 'negative', 'neutral', 'fear', 'anger', 'joy', 'toxic', 'non-toxic', 'civil rights', 'law and crime', 'other', 'sadness'];
const FRAGMENTS = [
  ...NAMES, 'A', 'B', 'C', 'G', '(B)', 'B)', 'A:', '1', '12', '0', '11', 'not', 'either', 'or', 'and', 'the answer is', 'So', 'Answer:',
  'Therefore,', 'I think', "I'm fairly sure", 'confidence: 80%', '(0.3)', 'As an AI', 'I cannot classify', 'positively', 'Neutrality',
  'postive', '.', ',', '\n', '**', '"', 'a', 'text', 'is', 'because', '{"label": "joy", "confidence": 0.7}', '{"positive": 2, "fear": 1}',
];

/** A task: 2-6 distinct names, each with a letter alias, a numeric code, or none, in a random order. */
const taskArb = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 2, maxLength: 6 })
  .chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc.constantFrom('letters', 'codes', 'none'),
      fc.shuffledSubarray(
        names.map((_, i) => i),
        { minLength: names.length, maxLength: names.length },
      ),
    ),
  )
  .map(([names, aliasKind, perm]) => {
    const labels: Label[] = names.map((name, i) => ({
      name,
      aliases: aliasKind === 'letters' ? [String.fromCharCode(65 + i)] : aliasKind === 'codes' ? [String(i + 1)] : [],
    }));
    return { labels, perm };
  });

const outputArb = fc.oneof(
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 10 }).map((parts) => parts.join(' ')),
  fc.string({ maxLength: 40 }),
);

function checkDistribution(n: NormalizedLabel, K: number): void {
  if (n.kind !== 'label') return;
  expect(n.dist.length).toBe(K);
  let sum = 0;
  for (const p of n.dist) {
    expect(p).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(p)).toBe(true);
    sum += p;
  }
  expect(sum).toBeCloseTo(1, 9);
}

describe('normalizer properties', () => {
  it('returns a non-negative distribution over the K labels summing to 1, or an abstention', () => {
    fc.assert(
      fc.property(taskArb, outputArb, ({ labels }, output) => {
        const n = createClassificationNormalizer({ labels })({ output });
        checkDistribution(n, labels.length);
      }),
      { numRuns: 400 },
    );
  });

  it('permuting the label order permutes the distribution and keeps abstention reasons', () => {
    fc.assert(
      fc.property(taskArb, outputArb, ({ labels, perm }, output) => {
        // permuted[j] = labels[perm[j]], aliases travelling with their label.
        const permuted = perm.map((i) => labels[i] as Label);
        const a = createClassificationNormalizer({ labels })({ output });
        const b = createClassificationNormalizer({ labels: permuted })({ output });
        expect(b.kind).toBe(a.kind);
        if (a.kind === 'abstain' && b.kind === 'abstain') expect(b.reason).toBe(a.reason);
        if (a.kind === 'label' && b.kind === 'label') {
          expect(b.method).toBe(a.method);
          perm.forEach((i, j) => expect(b.dist[j]).toBeCloseTo(a.dist[i] as number, 12));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('permuting the label order permutes a logprob distribution', () => {
    const alternatives = fc.array(fc.tuple(fc.constantFrom(...NAMES, 'A', 'B', '1', 'the', 'neg', 'pos'), fc.double({ min: 0.001, max: 1, noNaN: true })), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(taskArb, alternatives, ({ labels, perm }, alts) => {
        const [first] = alts[0] as [string, number];
        const logprobs = [{ token: first, logprob: Math.log(alts[0]?.[1] ?? 1), top_logprobs: alts.map(([token, p]) => ({ token, logprob: Math.log(p) })) }];
        const permuted = perm.map((i) => labels[i] as Label);
        const a = createClassificationNormalizer({ labels })({ output: first, logprobs });
        const b = createClassificationNormalizer({ labels: permuted })({ output: first, logprobs });
        expect(b.kind).toBe(a.kind);
        if (a.kind === 'label' && b.kind === 'label') {
          checkDistribution(a, labels.length);
          perm.forEach((i, j) => expect(b.dist[j]).toBeCloseTo(a.dist[i] as number, 12));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(taskArb, outputArb, ({ labels }, output) => {
        const normalize = createClassificationNormalizer({ labels });
        expect(normalize({ output })).toEqual(normalize({ output }));
      }),
      { numRuns: 100 },
    );
  });
});
