import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leaderboardRows, renderLeaderboard } from '../../src/eval/leaderboard.js';
import { bestRanked } from '../../src/eval/ranking.js';
import { recommendationLine } from '../../src/report/recommendation.js';
import { repoRoot, runCli } from '../support/run-cli.js';

describe('one tie rule for the sort, the * and the recommendation', () => {
  const tied = {
    task: 't',
    items: 100,
    oracle: 1,
    models: [{ name: 'm1', accuracy: 0.9, macroF1: 0.9, coverage: 1, callsPerItem: 1 }],
    strategies: [
      { name: 'stacking', accuracy: 0.97, macroF1: 0.97, coverage: 1, callsPerItem: 3 },
      { name: 'auto', accuracy: 0.97, macroF1: 0.97, coverage: 1, callsPerItem: 3 },
      { name: 'adaptive', accuracy: 0.97, macroF1: 0.97, coverage: 1, callsPerItem: 1.4 },
    ],
  };

  it('equal scores: fewer calls first, then the name, wherever the entry came from', () => {
    const best = bestRanked(tied.strategies)?.name as string;
    expect(best).toBe('adaptive');
    expect(bestRanked([...tied.strategies].reverse())?.name).toBe(best);
    const input = { ...tied, best };
    expect(leaderboardRows(input).map((r) => r.name)).toEqual(['adaptive', 'auto', 'stacking', 'm1']);
    const line = recommendationLine(input, { strategy: best, model: 'm1', onlyA: 9, onlyB: 2, pValue: 0.065, difference: 0.07, differenceInterval: { low: 0, high: 0.1 } } as never, 'my-set');
    expect(line).toMatch(/^recommendation: use adaptive \(1\.40 calls\/item\): it is not shown better than the best single model, m1 .*could be chance.*fusion fit my-set --strategy adaptive --out adaptive\.json$/);
    const text = renderLeaderboard(input, [line]);
    expect(text.split('\n').find((l) => l.startsWith('*'))).toMatch(/^\* adaptive /);
    expect(text.trim().split('\n').pop()).toBe(line);
  });

  it('a fusion reliably worse than the best model: the model alone is the advice', () => {
    const line = recommendationLine({ ...tied, best: 'auto' }, { strategy: 'auto', model: 'm1', onlyA: 1, onlyB: 20, pValue: 0.0001 } as never, 'd');
    expect(line).toMatch(/^recommendation: use m1 alone/);
  });

  it('fusion eval ends with the recommendation and the fit command; calls and $ per item are columns', async () => {
    const r = await runCli(['eval', join(repoRoot, 'evals/toxicity-en'), '--strategies', 'majority-vote,dawid-skene,weighted-vote']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/calls +\$\/item/);
    const star = (lines.find((l) => l.startsWith('* ')) as string).split(/\s+/)[1] as string;
    expect(lines.pop()).toMatch(new RegExp(`^recommendation: use ${star} .*paired test.*fusion fit .*evals/toxicity-en --strategy ${star} --out ${star}\\.json$`));
  });
});
