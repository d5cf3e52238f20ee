import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import { TASKS } from './fixtures.js';

// Inputs that make naive regular expressions or stemmers quadratic (or worse). Tests check what they
// read, not how fast (no wall-clock assertions): a pattern that backtracks without bound hangs the
// test until its timeout, and the per-answer time is measured by bench/normalizer-coverage.ts.
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

  // What each input reads as, for the sentiment and the emotion task: label method or abstention reason.
  const READS: Record<string, [string, string]> = {
    spaces: ['out-of-set', 'out-of-set'],
    newlines: ['no-label', 'verdict'],
    cues: ['no-label', 'no-label'],
    digits: ['no-label', 'no-label'],
    longWord: ['out-of-set', 'out-of-set'],
    quotes: ['out-of-set', 'out-of-set'],
    braces: ['empty', 'empty'],
    unclosedThink: ['ambiguous', 'no-label'],
    tags: ['no-label', 'no-label'],
    reasoning: ['verdict', 'no-label'],
  };
  const read = (n: ReturnType<typeof sentiment>): string => (n.kind === 'label' ? n.method : n.reason);

  it.each(Object.entries(PATHOLOGICAL))('reads the pathological input %s to its expected answer', (name, output) => {
    expect([read(sentiment({ output })), read(emotion({ output }))]).toEqual(READS[name]);
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
