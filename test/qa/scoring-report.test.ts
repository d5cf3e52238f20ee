import { describe, expect, it } from 'vitest';
import type { LeaderboardInput } from '../../src/eval/leaderboard.js';
import { renderLeaderboard } from '../../src/eval/leaderboard.js';
import { STRATEGIES } from '../../src/fuse/registry.js';
import { extractQaAnswer } from '../../src/normalize/qa/extract.js';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { renderQaReport } from '../../src/kinds/qa/report.js';
import { bestTokenF1, exactMatch, goldCorrect } from '../../src/qa/scoring.js';
import type { QaFolder } from '../../src/kinds/load-folder.js';
import { InputError } from '../../src/task/errors.js';
import { syntheticMcFolder } from './synthetic.js';

function read(output: string, answerType: 'free-form' | 'numeric' = 'free-form') {
  const r = extractQaAnswer(output, { answerType });
  if (r.kind !== 'answer') throw new Error(output);
  return r;
}

describe('scoring against gold aliases', () => {
  it('exact match after normalization, numbers by value', () => {
    expect(exactMatch(read('The Beatles'), ['Beatles'])).toBe(true);
    expect(exactMatch(read('291'), ['291 episodes', '291'])).toBe(true);
    expect(exactMatch(read('\\boxed{1,000}', 'numeric'), ['1000'])).toBe(true);
    expect(exactMatch(read('Wilhelm Röntgen'), ['Wilhelm Conrad Röntgen'])).toBe(false);
  });
  it('token F1 takes the best alias', () => {
    expect(bestTokenF1(read('Wilhelm Röntgen'), ['Cyrus', 'Wilhelm Conrad Röntgen'])).toBeCloseTo(0.8);
  });
  it('a sentence is right when it contains a short alias', () => {
    expect(goldCorrect(read('The first Nobel Prize in Physics was awarded to Wilhelm Conrad Röntgen in 1901.'), ['Wilhelm Conrad Röntgen'])).toBe(true);
    expect(goldCorrect(read('There are 291 episodes of Dragon Ball Z in total.'), ['291'])).toBe(true);
    expect(goldCorrect(read('There are 276 episodes of Dragon Ball Z in total.'), ['291'])).toBe(false);
  });
});

describe('QA eval result and report', () => {
  it('fits the shared leaderboard and renders a Markdown section', async () => {
    const r = await evaluateQaFolder(syntheticMcFolder(60, [0.8, 0.6, 0.5], 2), { folds: 3, seed: 1 });
    const board: LeaderboardInput = { ...r, oracle: r.extras.oracle };
    expect(renderLeaderboard(board)).toContain('auto');
    const md = renderQaReport(r);
    expect(md).toContain('# synthetic-mc: fusion eval (QA, multiple-choice)');
    // The one leaderboard table of every kind (src/eval/leaderboard-table.ts): | mark | name | kind | columns |.
    expect(md).toMatch(/\| (\*\*best\*\*)? \| auto \| strategy \|/);
    for (const m of r.models) expect(md).toContain(`|  | ${m.name} | model |`);
    // Multiple choice shares the option letters as labels: every registered strategy runs.
    expect(JSON.parse(JSON.stringify(r)).strategies.map((s: { name: string }) => s.name)).toEqual(STRATEGIES.filter((s) => s.needsOrderedLabels !== true).map((s) => s.name));
    expect(r.extras.refused).toEqual([]);
  });

  it('lists unreadable outputs per model and reason', async () => {
    const f = syntheticMcFolder(30, [0.8, 0.6], 4);
    f.responses[0] = { ...(f.responses[0] as QaFolder['responses'][number]), output: 'The answer is (A) or (B).' };
    const r = await evaluateQaFolder(f, { folds: 3, seed: 1 });
    expect(r.models[0]?.abstentions.ambiguous).toBe(1);
    expect(r.rejected[0]).toMatchObject({ model: 'm0', reason: 'ambiguous' });
    expect(renderQaReport(r)).toContain('`ambiguous` m0');
  });

  it('counts program code that was never run under its own reason, in the result and the report', async () => {
    const f = syntheticMcFolder(30, [0.8, 0.6], 4);
    const program = '# Python code, return ans\nposition = 0\nposition += 3\nposition -= 3\nans = "A" if position == 0 else "B"';
    f.responses[0] = { ...(f.responses[0] as QaFolder['responses'][number]), output: program };
    f.responses[2] = { ...(f.responses[2] as QaFolder['responses'][number]), output: program };
    const r = await evaluateQaFolder(f, { folds: 3, seed: 1, strategies: ['majority-vote'] });
    expect(r.models[0]?.abstentions['unexecuted-code']).toBe(2);
    expect(r.rejected.filter((x) => x.reason === 'unexecuted-code')).toHaveLength(2);
    expect(renderQaReport(r)).toContain('`unexecuted-code` m0');
  });

  it('refuses a folder with nothing to score against', async () => {
    const f = syntheticMcFolder(10, [0.8, 0.6], 4);
    const unlabelled = { ...f, items: f.items.map(({ answers: _a, ...rest }) => rest) };
    await expect(evaluateQaFolder(unlabelled, { folds: 2, seed: 1 })).rejects.toThrow(InputError);
  });
});

describe('multiple-choice gold given as choice text', () => {
  it('is read as the label of that choice', async () => {
    const f = syntheticMcFolder(20, [0.9, 0.7], 8);
    const byText = {
      ...f,
      items: f.items.map((it) => ({ ...it, answers: [it.choices?.find((c) => c.label === it.answers?.[0])?.text ?? ''] })),
    };
    const a = await evaluateQaFolder(f, { folds: 2, seed: 1 });
    const b = await evaluateQaFolder(byText, { folds: 2, seed: 1 });
    expect(b.models.map((m) => m.accuracy)).toEqual(a.models.map((m) => m.accuracy));
    expect(a.models[0]?.accuracy).toBeGreaterThan(0.5);
  });
});

describe('symbolic gold', () => {
  it('matches the same expression written with other spacing or \\dfrac', () => {
    expect(exactMatch(read('\\boxed{\\dfrac{\\sqrt{3}}{2}}', 'numeric'), ['\\frac{\\sqrt{3}}{2}'])).toBe(true);
    expect(exactMatch(read('\\boxed{\\sqrt{2}}', 'numeric'), ['\\sqrt{3}'])).toBe(false);
  });
});

describe('usage errors', () => {
  it('names unknown strategies', async () => {
    const { StrategyError } = await import('../../src/fuse/strategy.js');
    await expect(evaluateQaFolder(syntheticMcFolder(10, [0.8], 1), { folds: 2, seed: 1, strategies: ['auto', 'magic'] })).rejects.toThrow(StrategyError);
    await expect(evaluateQaFolder(syntheticMcFolder(10, [0.8], 1), { folds: 2, seed: 1, strategies: ['magic'] })).rejects.toThrow(/"magic".*available: majority-vote/);
  });
});
