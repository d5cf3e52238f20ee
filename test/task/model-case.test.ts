import { describe, expect, it } from 'vitest';
import { caseVariantOf, caseVariants, spellingsWhere } from '../../src/task/model-case.js';

describe('model names that differ only by case', () => {
  it('groups every spelling once, at its first appearance, in order of first appearance; one spelling is no group', () => {
    const names = ['b', 'A', 'a', 'b', 'A', 'B', 'c', 'a'].map((name, i) => ({ name, line: i + 1 }));
    expect(caseVariants(names)).toEqual([
      [{ name: 'b', line: 1 }, { name: 'B', line: 6 }],
      [{ name: 'A', line: 2 }, { name: 'a', line: 3 }],
    ]);
    expect(caseVariants([{ name: 'x', line: 1 }, { name: 'x', line: 2 }])).toEqual([]);
  });

  it('finds the recorded name a name matches only by case, none when the name itself is recorded', () => {
    const recorded = new Map([['openai:GPT-4o', 3], ['m', 1]]);
    expect(caseVariantOf('openai:gpt-4o', recorded)).toEqual({ name: 'openai:GPT-4o', line: 3 });
    expect(caseVariantOf('openai:GPT-4o', recorded)).toBeUndefined();
    expect(caseVariantOf('n', recorded)).toBeUndefined();
  });

  it('names the spellings and where each is', () => {
    expect(spellingsWhere([{ name: 'a', line: 1 }, { name: 'A', line: 2 }], (l) => `line ${l}`)).toBe('"a" (line 1) and "A" (line 2)');
    expect(spellingsWhere([{ name: 'ab', line: 1 }, { name: 'Ab', line: 2 }, { name: 'AB', line: 9 }], (l) => `line ${l}`)).toBe('"ab" (line 1), "Ab" (line 2) and "AB" (line 9)');
  });
});
