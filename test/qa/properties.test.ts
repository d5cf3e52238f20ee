import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildItemAnswers } from '../../src/qa/build-items.js';
import { candidateCount } from '../../src/fuse/answer-matrix.js';
import { getStrategy } from '../../src/fuse/registry.js';
import { buildCandidateMatrix } from '../../src/qa/candidate-matrix.js';

const UNSUPERVISED = ['majority-vote', 'soft-vote', 'soft-vote-log', 'central', 'dawid-skene-one-coin'];

const OUTPUTS = ['The answer is (A).', 'The answer is (B).', '\\boxed{C}', 'The answer is (A) or (B).', 'no idea', 'The answer is D.', 'B'];
const FREE = ['Paris', 'The capital of France is Paris.', 'Lyon', 'It is Lyon, in France.', "I'm sorry, I don't know.", 'Marseille is the answer.'];
const choices = ['A', 'B', 'C', 'D'].map((label) => ({ label, text: `t${label}` }));

const outputsArb = (pool: string[]) =>
  fc.array(fc.record({ model: fc.integer({ min: 0, max: 3 }), text: fc.constantFrom(...pool) }), { minLength: 1, maxLength: 12 });

describe('QA fusion invariants (property-based)', () => {
  it('shares form one distribution per answering model; every pick is a member of its cluster', () => {
    fc.assert(
      fc.property(fc.boolean().chain((ff) => fc.tuple(fc.constant(ff), outputsArb(ff ? FREE : OUTPUTS))), ([freeForm, outs]) => {
        const outputs = outs.map((o, k) => ({ model: o.model, sample: k, output: o.text }));
        const ctx = freeForm ? { answerType: 'free-form' as const } : { answerType: 'multiple-choice' as const, choices };
        const { item } = buildItemAnswers('q', 'what is the capital of france', ctx, outputs, 4);
        const C = item.clusters.length;
        for (let m = 0; m < 4; m++) {
          let sum = 0;
          for (let c = 0; c < C; c++) sum += item.share[m * C + c] as number;
          expect(sum).toBeCloseTo(item.answered[m] ? 1 : 0, 9);
        }
        expect(item.clusters.reduce((s, c) => s + c.members.length, 0)).toBe(item.answers.length);
        const { matrix, columnCluster } = buildCandidateMatrix([item], ['m0', 'm1', 'm2', 'm3'], ctx.answerType, freeForm ? {} : { choiceLabels: [['A', 'B', 'C', 'D']] });
        const K = matrix.labels.length;
        for (const name of UNSUPERVISED) {
          const pred = getStrategy(name).fit(matrix, Int32Array.of(-1), { seed: 1 }).predict(matrix);
          if (item.answers.length === 0) {
            expect(pred.decided[0], name).toBe(0);
            continue;
          }
          expect(pred.decided[0], name).toBe(1);
          let sum = 0;
          let best = 0;
          for (let k = 0; k < K; k++) {
            const p = pred.probs[k] as number;
            expect(p).toBeGreaterThanOrEqual(0);
            // Only the item's own candidates get probability.
            if (k >= candidateCount(matrix, 0)) expect(p, name).toBe(0);
            sum += p;
            if (p > (pred.probs[best] as number)) best = k;
          }
          expect(sum, name).toBeCloseTo(1, 9);
          // The winning column is an answer some model gave.
          expect(columnCluster[0]?.[best], name).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('majority vote does not depend on the order of the outputs, up to exact ties', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('A', 'B', 'C'), { minLength: 1, maxLength: 9 }), fc.integer(), (letters, seed) => {
        const outputs = letters.map((l, model) => ({ model, output: `The answer is (${l}).` }));
        const counts = new Map<string, number>();
        for (const l of letters) counts.set(l, (counts.get(l) ?? 0) + 1);
        const top = Math.max(...counts.values());
        if ([...counts.values()].filter((v) => v === top).length > 1) return;
        const shuffled = [...outputs].sort((a, b) => ((a.model * 7919 + seed) % 13) - ((b.model * 7919 + seed) % 13));
        const vote = getStrategy('majority-vote');
        const pickLetter = (outs: typeof outputs) => {
          const { item } = buildItemAnswers('q', 'q', { answerType: 'multiple-choice', choices }, outs, letters.length);
          const { matrix } = buildCandidateMatrix([item], letters.map((_, k) => `m${k}`), 'multiple-choice', { choiceLabels: [['A', 'B', 'C', 'D']] });
          const p = vote.fit(matrix, Int32Array.of(-1), { seed: 1 }).predict(matrix).probs;
          let best = 0;
          for (let k = 1; k < p.length; k++) if ((p[k] as number) > (p[best] as number)) best = k;
          return matrix.labels[best];
        };
        expect(pickLetter(shuffled)).toBe(pickLetter(outputs));
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
