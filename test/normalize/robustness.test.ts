import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import { TASKS } from './fixtures.js';

// Inputs that make naive regular expressions or stemmers quadratic; each must stay far below a second.
const PATHOLOGICAL: Record<string, string> = {
  spaces: `confidence${' '.repeat(20_000)}x`,
  newlines: `${'x\n \n \n'.repeat(5_000)}B`,
  cues: 'answer:'.repeat(3_000),
  digits: '1'.repeat(20_000),
  longWord: 'positive'.repeat(3_000),
  quotes: `${'"'.repeat(20_000)}x`,
  braces: '{'.repeat(5_000) + '}'.repeat(5_000),
  unclosedThink: `<think>${'positive negative '.repeat(2_000)}`,
  tags: '<answer>'.repeat(3_000),
  reasoning: `${'Some analysts were positive while others were negative about the outlook. '.repeat(200)}So the answer is neutral.`,
};

describe('robustness', () => {
  const sentiment = createClassificationNormalizer(TASKS.sentiment);
  const emotion = createClassificationNormalizer(TASKS.emotion);

  it.each(Object.entries(PATHOLOGICAL))('reads the pathological input %s in linear time', (_, output) => {
    const t0 = performance.now();
    sentiment({ output });
    emotion({ output });
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('still finds the verdict at the end of a long reasoning', () => {
    const n = sentiment({ output: PATHOLOGICAL.reasoning as string });
    expect(n).toMatchObject({ kind: 'label', method: 'verdict' });
    if (n.kind === 'label') expect(Array.from(n.dist)).toEqual([0, 1, 0]);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (output) => {
        const n = emotion({ output });
        expect(['label', 'abstain']).toContain(n.kind);
      }),
      { numRuns: 300 },
    );
  });
});
