import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SAVED_STRATEGY_FORMAT, SAVED_STRATEGY_VERSION } from '../../src/fuse/strategy.js';
import { createAdaptiveRating } from '../../src/kinds/rating/adaptive-policy.js';
import { autoEstimator } from '../../src/kinds/rating/auto.js';
import { ratingPlugin } from '../../src/kinds/rating/index.js';
import { type RatingMatrix, selectJudges } from '../../src/kinds/rating/rating-matrix.js';
import { ratingKind, type RatingFusedLine } from '../../src/kinds/rating/rows.js';
import type { RawModelAnswer, SkipReason } from '../../src/kinds/raw-answer.js';
import { runPipeline, streamKind } from '../../src/run/pipeline.js';
import { PassThrough, Readable } from 'node:stream';
import { createRequestBuilder } from '../../src/orchestrate/default-request.js';
import { type ModelHandle, Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { kindOf } from '../../src/kinds/registry.js';
import { FakeModel } from '../orchestrate/fake-model.js';
import type { RatingItem, RatingTask } from '../../src/task/schema.js';
import { world } from '../kinds/rating/worlds.js';
import { createAdaptive, type FittedAdaptive } from '../../src/fuse/adaptive/adaptive-strategy.js';
import { toSavedStrategy, writeSavedStrategy } from '../../src/fuse/saved-strategy.js';
import { syntheticAnswers } from '../../src/fuse/synthetic-answers.js';
import { classificationKind, type FusedLine } from '../../src/kinds/classification/rows.js';
import { chooseStrategy, type StreamFuser } from '../../src/run/strategy-choice.js';
import type { ClassificationTask } from '../../src/task/schema.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * A rating run under a saved adaptive policy that the run cut short on an item (Ctrl-C, --max-cost)
 * after k judges: the item's fused score is auto's k-judge prefix fit of those k answers, as when
 * the policy itself stops there; not the fit of a longer prefix reading the judges never asked as
 * unreadable (what the replay of the uncapped policy would pick).
 */
describe('an item cut short is fused as it was asked', () => {
  const judges = [{ noise: 0.8 }, { noise: 1.5, bias: 1 }, { noise: 1.5, bias: -1 }, { noise: 2 }];
  const w = world({ items: 500, judges, seed: 3 });
  // Tolerance 0: left alone, the policy asks every judge on every item.
  const state: Record<string, unknown> = { ...(createAdaptiveRating().fit(w.matrix, w.gold, 1).state() as Record<string, unknown>), tolerance: 0, maxCalls: null };
  const order = state.order as string[];
  const models = [...w.matrix.judges];
  const task: RatingTask = { name: 'w', kind: 'rating', scale: w.matrix.scale, instructions: '' };
  // Each judge's score of the test item, by name.
  const scoreOf: Record<string, number> = { [models[0] as string]: 7, [models[1] as string]: 9, [models[2] as string]: 4, [models[3] as string]: 2 };

  function fuser() {
    const dir = mkdtempSync(join(tmpdir(), 'cut-short-'));
    dirs.push(dir);
    const file = join(dir, 'policy.json');
    const saved = { format: SAVED_STRATEGY_FORMAT, version: SAVED_STRATEGY_VERSION, kind: 'rating', strategy: 'adaptive', task: 'w', models, createdAt: new Date(0).toISOString(), scale: w.matrix.scale, labels: [], state: { level: 0.8, halfWidth: 1, point: state } };
    writeFileSync(file, JSON.stringify(saved));
    return ratingPlugin.loadSaved(file, task);
  }

  /** The answers of a run that asked the first `k` judges of the order, then stopped for `reason` (none: every judge asked). */
  function answersAfter(k: number, reason?: SkipReason): RawModelAnswer[] {
    return models.map((model): RawModelAnswer => {
      const position = order.indexOf(model);
      if (reason === undefined || position < k) return { model, status: 'ok', output: JSON.stringify({ score: scoreOf[model] }), cached: false };
      return { model, status: 'skipped', error: 'stopped', reason: position === k ? reason : 'not-needed' };
    });
  }

  /** Auto fitted on the first `k` judges of the order, reading their scores of the test item. */
  function prefixScore(k: number): number {
    const asked = order.slice(0, k);
    const one: RatingMatrix = { itemIds: ['x'], judges: asked, scale: w.matrix.scale, scores: Float64Array.from(asked, (n) => scoreOf[n] as number), features: [], groups: null };
    return round(autoEstimator.fit(selectJudges(w.matrix, asked), w.gold, 1).predict(one)[0] as number);
  }

  const fuse = (items: { item: RatingItem; answers: RawModelAnswer[] }[]) => streamKind(task, ratingKind(task), models, fuser()).fuse(items) as RatingFusedLine[];
  const item = (id: string): RatingItem => ({ id, text: id });

  it.each([
    [1, 'interrupted'],
    [2, 'budget'],
    [3, 'cancelled'],
  ] as const)('stopped after %i judge(s) (%s): the prefix fit of the judges asked scores it', (k, reason) => {
    const [line] = fuse([{ item: item('a'), answers: answersAfter(k, reason) }]);
    expect(line?.score).toBe(prefixScore(k));
    expect(line?.score).not.toBe(prefixScore(order.length));
  });

  it('items not cut short, in the same batch, are fused as before: every judge, by auto on every judge', () => {
    const lines = fuse([
      { item: item('whole'), answers: answersAfter(order.length) },
      { item: item('cut'), answers: answersAfter(2, 'interrupted') },
      { item: item('whole-too'), answers: answersAfter(order.length) },
    ]);
    expect(lines.map((l) => l.id)).toEqual(['whole', 'cut', 'whole-too']);
    const every = round(autoEstimator.fit(w.matrix, w.gold, 1).predict({ itemIds: ['x'], judges: models, scale: w.matrix.scale, scores: Float64Array.from(models, (n) => scoreOf[n] as number), features: [], groups: null })[0] as number);
    expect(lines.map((l) => l.score)).toEqual([every, prefixScore(2), every]);
  });

  it.each([1, 2])('fusion run interrupted (Ctrl-C) during its call %i on an item: its line has the prefix fit score of the judges answered', async (k) => {
    const orchestrator = new Orchestrator({ concurrency: 4 });
    let calls = 0;
    const handles: ModelHandle[] = models.map((name) => ({
      name,
      model: new FakeModel('fake', name, () => {
        // Ctrl-C while call k is in flight: it finishes (and counts), no call starts after it.
        if (++calls === k) orchestrator.stop('drain', 'interrupted');
        return { text: JSON.stringify({ score: scoreOf[name] }) };
      }),
    }));
    const output = new PassThrough();
    const chunks: string[] = [];
    output.on('data', (c: Buffer) => chunks.push(c.toString()));
    const result = await runPipeline({
      task,
      models: handles,
      orchestrator,
      buildRequest: createRequestBuilder(task, kindOf(task).prompt),
      fuser: fuser(),
      input: Readable.from([`${JSON.stringify({ id: 'a', text: 'an essay' })}\n`]),
      output,
      errors: new PassThrough(),
    });
    expect(result.interrupted).toBe(true);
    expect(calls).toBe(k);
    const line = JSON.parse(chunks.join('').split('\n').filter(Boolean)[0] as string) as RatingFusedLine;
    expect(line.answers.filter((a) => a.score !== null).map((a) => a.model)).toEqual(order.slice(0, k).sort((x, y) => models.indexOf(x) - models.indexOf(y)));
    expect(line.score).toBe(prefixScore(k));
  });
});

/**
 * The same path for the categorical kinds: a classification item cut short is fused by the policy
 * capped at the calls made, and a `--min-confidence` floor stays on that capped fuser.
 */
describe('a categorical item cut short is fused as it was asked', () => {
  const data = syntheticAnswers({ items: 240, models: 5, labels: 3, seed: 7, abstainRate: 0.05 });
  const { matrix, gold } = data;
  const labels = [...matrix.labels];
  const models = [...matrix.models];
  const task: ClassificationTask = { name: 'c', kind: 'classification', labels: labels.map((name) => ({ name, aliases: [] })), instructions: '' };
  const fitted = createAdaptive().fit(matrix, gold, { seed: 1 }) as FittedAdaptive;
  const order = fitted.order;

  function saved(): string {
    const dir = mkdtempSync(join(tmpdir(), 'cut-short-cls-'));
    dirs.push(dir);
    const file = join(dir, 'policy.json');
    writeSavedStrategy(file, toSavedStrategy(fitted, { strategy: 'adaptive', task: 'c', labels, models }));
    return file;
  }

  /** Every model answers `label`; the first `k` of the order were asked, then the run stopped. */
  function answersAfter(label: string, k: number): RawModelAnswer[] {
    return models.map((model): RawModelAnswer => {
      const position = order.indexOf(model);
      if (position < k) return { model, status: 'ok', output: label, cached: false };
      return { model, status: 'skipped', error: 'stopped', reason: position === k ? 'interrupted' : 'not-needed' };
    });
  }

  it('is fused by the policy capped at the calls made, and the floor of --min-confidence holds on it', () => {
    const file = saved();
    const fuser = chooseStrategy(file, task, 1, { minConfidence: 1 });
    const kind = classificationKind(task);
    const items = [{ item: { id: 'cut', text: 'x' }, answers: answersAfter(labels[0] as string, 1) }];
    const line = streamKind(task, kind, models, fuser).fuse(items)[0] as FusedLine;
    const byCap = kind.fuse(items, models, fuser.capped?.(1) as StreamFuser)[0] as FusedLine;
    expect(line).toEqual(byCap);
    // One answer of five fused at a checkpoint it was not fitted for: the confidence floor withholds it.
    expect(byCap.abstain).toBe('no-consensus');
    // Without the floor, the same: the policy capped at the one call made.
    const plain = chooseStrategy(file, task, 1);
    const asAsked = streamKind(task, kind, models, plain).fuse(items)[0] as FusedLine;
    expect(asAsked).toEqual(kind.fuse(items, models, plain.capped?.(1) as StreamFuser)[0]);
  });
});
