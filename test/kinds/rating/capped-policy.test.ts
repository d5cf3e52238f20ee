import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SAVED_STRATEGY_FORMAT, SAVED_STRATEGY_VERSION } from '../../../src/fuse/strategy.js';
import { createAdaptiveRating } from '../../../src/kinds/rating/adaptive-policy.js';
import { autoEstimator } from '../../../src/kinds/rating/auto.js';
import { ratingPlugin } from '../../../src/kinds/rating/index.js';
import { type RatingMatrix, selectJudges } from '../../../src/kinds/rating/rating-matrix.js';
import type { RatingStreamFuser } from '../../../src/kinds/rating/rows.js';
import type { RatingTask } from '../../../src/task/schema.js';
import { world } from './worlds.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** `m` with only judge `name` answered on every item (the others not asked: NaN), as a run capped at one judge sees it. */
function onlyJudge(m: RatingMatrix, name: string): RatingMatrix {
  const J = m.judges.length;
  const c = m.judges.indexOf(name);
  return { ...m, scores: Float64Array.from(m.scores, (x, k) => (k % J === c ? x : Number.NaN)) };
}

/**
 * A run capped below what the policy would ask (`--max-calls-per-item`) fuses what was asked with
 * the prefix fit of the judges it asked: the fused score reads `auto` fitted on exactly those, not
 * the every-judge fit with the others missing (which the replay of the uncapped policy would pick,
 * as a judge not asked looks like one whose answer did not read).
 */
describe('adaptive rating capped in a run', () => {
  const judges = [{ noise: 0.8 }, { noise: 1.5, bias: 1 }, { noise: 1.5, bias: -1 }, { noise: 2 }];
  const w = world({ items: 500, judges, seed: 3 });
  const fresh = world({ items: 200, judges, seed: 4 });
  // Tolerance 0: uncapped, it asks every judge on every item.
  const state: Record<string, unknown> = { ...(createAdaptiveRating().fit(w.matrix, w.gold, 1).state() as Record<string, unknown>), tolerance: 0, maxCalls: null };
  const order = state.order as string[];
  const first = order[0] as string;
  const asked = onlyJudge(fresh.matrix, first);
  const onePrefix = Array.from(autoEstimator.fit(selectJudges(w.matrix, [first]), w.gold, 1).predict(selectJudges(asked, [first])));

  it('the fitted strategy capped at one judge scores with the one-judge prefix fit and counts one call', () => {
    const loaded = createAdaptiveRating().load(state, w.matrix.scale);
    const capped = loaded.withMaxCalls?.(1);
    expect(capped).toBeDefined();
    expect(Array.from(capped?.predict(asked) ?? [])).toEqual(onePrefix);
    expect(Array.from(capped?.calls?.(asked) ?? [])).toEqual(new Array<number>(asked.itemIds.length).fill(1));
    expect(capped?.policy?.nextWave(selectJudges(asked, asked.judges), 1)).toEqual({ next: null });
  });

  it('fusion run with the saved policy and --max-calls-per-item 1 (the kind fuser capped) rates with it too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'capped-rating-'));
    dirs.push(dir);
    const task: RatingTask = { name: 'w', kind: 'rating', scale: w.matrix.scale, instructions: '' };
    const file = join(dir, 'policy.json');
    const saved = { format: SAVED_STRATEGY_FORMAT, version: SAVED_STRATEGY_VERSION, kind: 'rating', strategy: 'adaptive', task: 'w', models: [...w.matrix.judges], createdAt: new Date(0).toISOString(), scale: w.matrix.scale, labels: [], state: { level: 0.8, halfWidth: 1, point: state } };
    writeFileSync(file, JSON.stringify(saved));
    const fuser = ratingPlugin.loadSaved(file, task) as RatingStreamFuser;
    const capped = fuser.capped?.(1) as RatingStreamFuser;
    expect(Array.from(capped.rate(asked).score)).toEqual(onePrefix);
    // Uncapped, every judge is asked and auto's every-judge fit reads them.
    expect(Array.from(fuser.rate(fresh.matrix).score)).toEqual(Array.from(autoEstimator.fit(w.matrix, w.gold, 1).predict(fresh.matrix)));
  });
});
