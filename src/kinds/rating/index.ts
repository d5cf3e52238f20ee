import { readSavedDocument } from '../../fuse/saved-strategy.js';
import { type SavedStrategy, SAVED_STRATEGY_FORMAT, SAVED_STRATEGY_VERSION, StrategyError } from '../../fuse/strategy.js';
import { ratingStarter } from './starter.js';
import { StrategyStateError } from '../../fuse/strategy-state.js';
import { InputError } from '../../task/errors.js';
import { type RatingFolder, ratingFolder } from './folder.js';
import { folderTable } from '../../task/read-table.js';
import type { RatingItem, RatingTask } from '../../task/schema.js';
import { type ScoreMetrics, scoreMetrics } from '../../validation/score-metrics.js';
import { TargetError, wrongKind } from '../categorical-fusers.js';
import { foldsShortfall } from '../fold-shortfall.js';
import type { KindEntry, TaskKind } from '../task-kind.js';
import type { EvalResult, ModelEntryCore, StrategyEntryCore } from '../../eval/eval-result.js';
import type { ModelCost } from '../../report/index.js';
import { type LeaderboardColumn, type LeaderboardEntry, type LeaderboardView, markdownLeaderboard } from '../../eval/leaderboard-table.js';
import { type OutOfFoldRatings, outOfFoldRatings, ratingItemsToScore } from './out-of-fold.js';
import { buildRatingMatrix, type RatingAbstention, type RatingMatrix, textGroupCount } from './rating-matrix.js';
import { everyJudgeCost, judgeAbstentions, judgeErrors, type RatingReportData, renderRatingHtml, scatterPoints } from './report.js';
import { ratingPrompt } from './prompt.js';
import { readScore } from './read-score.js';
import { adaptiveRating, createAdaptiveRating } from './adaptive-policy.js';
import { ratingStrategy } from './point-estimator.js';
import { getRatingStrategy, RATING_STRATEGIES } from './registry.js';
import { STACKING_MIN_TRAINING, stackingRating } from './stacking.js';
import { ratingFuser, type RatingFusedLine, ratingKind, type RatingStreamFuser } from './rows.js';
import type { FittedRating, RatingStrategy } from './strategy.js';

const KIND = 'rating';
/** The default of a run without a fitted strategy: unsupervised, never estimating anything from the batch. */
const DEFAULT_RUN_STRATEGY = 'median';

/** One judge or strategy scored against the gold scores: the score metrics, coverage and (strategies) interval coverage. */
export interface RatingEntry extends KindEntry, Omit<ScoreMetrics, 'n'> {
  /** Items scored (with gold and a fused score). */
  scored: number;
  supervised?: boolean;
  scoredOn?: 'out-of-fold';
  /** Share of items with gold whose interval holds the gold score. */
  intervalCoverage?: number;
  /** Mean width of the interval over the items with gold and a fused score. */
  intervalWidth?: number;
  picks?: string[];
  /** Judges asked per item: 1 for a judge, every judge for a strategy that reads them all, fewer for one that asks (adaptive). */
  callsPerItem?: number;
}

/** A judge's row: its scores against gold, and its unreadable answers by reason. */
export type RatingModelEntry = RatingEntry & Pick<ModelEntryCore, 'abstentions'>;
/** A strategy's row: scored out-of-fold, with its interval's coverage and the judges it asks per item. */
export type RatingStrategyEntry = RatingEntry & StrategyEntryCore;

/** What only a rating evaluation has, beside the core fields (`extras`). */
export interface RatingExtras {
  scale: { min: number; max: number };
  /** Items with a gold score. */
  scoredItems: number;
}

/** A rating evaluation: the one result type with the rating extras; `best` has the highest Spearman correlation (lowest MAE breaks ties). */
export type RatingEvalResult = EvalResult<RatingExtras, RatingModelEntry, RatingStrategyEntry, RatingTask['kind']>;

function matrixOf(folder: RatingFolder): { matrix: RatingMatrix; abstentions: RatingAbstention[] } {
  return buildRatingMatrix({ items: folder.items.map((it) => ({ id: it.id, text: it.text })), responses: folder.responses, scale: folder.task.scale }, readScore);
}

const rejectedOf = (a: RatingAbstention): RatingEvalResult['rejected'][number] => ({ model: a.model, item: a.item, reason: a.reason, ...(a.detail !== undefined ? { detail: a.detail } : {}), output: a.output });

function entry(name: string, gold: Float64Array, score: ArrayLike<number>, folder: RatingFolder): RatingEntry {
  const { n, ...m } = scoreMetrics(gold, score, folder.task.scale);
  let decided = 0;
  for (let i = 0; i < gold.length; i++) if (Number.isFinite(score[i] as number)) decided++;
  return { name, coverage: gold.length === 0 ? 0 : decided / gold.length, scored: n, ...m };
}

const f3 = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(3));

/** The rating kind's leaderboard columns (the table around them is src/eval/leaderboard-table.ts): the terminal shows `brief` ones. */
const COLUMNS: (LeaderboardColumn<RatingEntry> & { brief: boolean })[] = [
  { header: 'Spearman', width: 8, brief: true, cell: (e) => f3(e.spearman) },
  { header: 'Pearson', width: 7, brief: true, cell: (e) => f3(e.pearson) },
  { header: 'Kendall', width: 7, brief: false, cell: (e) => f3(e.kendall) },
  { header: 'MAE', width: 7, brief: true, cell: (e) => f3(e.mae) },
  { header: 'RMSE', width: 7, brief: true, cell: (e) => f3(e.rmse) },
  { header: 'QWK', width: 6, brief: true, cell: (e) => f3(e.qwk) },
  { header: 'within one', width: 6, brief: false, cell: (e) => f3(e.withinOne) },
  { header: 'coverage', width: 8, brief: true, cell: (e) => f3(e.coverage) },
  { header: '80% interval holds gold', width: 8, brief: false, cell: (e) => f3(e.intervalCoverage) },
  { header: 'interval', width: 8, brief: true, cell: (e) => (e.intervalCoverage === undefined ? '' : f3(e.intervalCoverage)) },
  { header: 'calls', width: 6, brief: true, cell: (e) => (e.callsPerItem === undefined ? '' : e.callsPerItem.toFixed(2)) },
];
const TERMINAL = COLUMNS.filter((c) => c.brief);
const MARKDOWN = COLUMNS.filter((c) => c.header !== 'interval' && c.header !== 'calls');

const entries = (r: RatingEvalResult): LeaderboardEntry<RatingEntry>[] => [...r.strategies.map((e) => ({ kind: 'strategy' as const, entry: e })), ...r.models.map((e) => ({ kind: 'model' as const, entry: e }))];

/** The terminal leaderboard: the rating columns, best Spearman first, drawn by the shared table. */
function leaderboard(r: RatingEvalResult): LeaderboardView<RatingEntry> {
  return {
    title: [`${r.task}: ${r.items} items (${r.extras.scoredItems} with a gold score), scale ${r.extras.scale.min}-${r.extras.scale.max}; strategies scored out-of-fold (${r.folds} grouped folds, seed ${r.seed})`, ''],
    rows: entries(r).sort((a, b) => (b.entry.spearman || -2) - (a.entry.spearman || -2)),
    best: r.best,
    columns: TERMINAL,
    rule: false,
    footer: [],
  };
}

function markdown(r: RatingEvalResult): string {
  const out = [`# ${r.task}: fusion eval (rating, scale ${r.extras.scale.min}-${r.extras.scale.max})`, '', `${r.items} items, ${r.extras.scoredItems} with a gold score, ${r.models.length} judges. Strategies scored out-of-fold (${r.folds} grouped folds, seed ${r.seed}).`, ''];
  out.push('## Leaderboard', '', ...markdownLeaderboard(entries(r), r.best, MARKDOWN));
  out.push('');
  if (r.rejected.length > 0) {
    out.push('## Unreadable scores', '', '| model | reason | item |', '|---|---|---|');
    for (const x of r.rejected.slice(0, 50)) out.push(`| ${x.model} | ${x.reason} | ${x.item} |`);
    out.push('');
  }
  return out.join('\n');
}

/** The page's data: the leaderboard with costs, the best strategy's out-of-fold scores, the judges' errors and the best strategy's own view of the judges. */
function reportData(folder: RatingFolder, matrix: RatingMatrix, abstentions: readonly RatingAbstention[], r: RatingEvalResult, best: RatingStrategy, oof: OutOfFoldRatings | undefined, costs: readonly ModelCost[]): RatingReportData {
  const byModel = new Map(costs.map((c) => [c.model, c]));
  const all = everyJudgeCost(matrix.judges, costs);
  const row = (e: RatingEntry, kind: 'model' | 'strategy'): RatingReportData['entries'][number] => ({
    name: e.name,
    kind,
    spearman: e.spearman,
    pearson: e.pearson,
    mae: e.mae,
    rmse: e.rmse,
    qwk: e.qwk,
    coverage: e.coverage,
    intervalCoverage: e.intervalCoverage ?? null,
    intervalWidth: e.intervalWidth ?? null,
    ...(kind === 'model' ? { callsPerItem: byModel.get(e.name)?.callsPerItem ?? null, costPerItem: byModel.get(e.name)?.costPerItem ?? null } : all),
  });
  const entries = [...r.strategies.map((e) => row(e, 'strategy')), ...r.models.map((e) => row(e, 'model'))].sort((a, b) => (Number.isNaN(b.spearman) ? -2 : b.spearman) - (Number.isNaN(a.spearman) ? -2 : a.spearman));
  // The judges as the chosen strategy sees them, fitted on every scored item (as fusion fit would save it).
  const profile = best.fit(matrix, folder.gold, { seed: r.seed }).judgeProfile?.();
  return {
    format: 'llm-fusion/report',
    version: 1,
    task: r.task,
    kind: r.kind,
    scale: r.extras.scale,
    items: r.items,
    scoredItems: r.extras.scoredItems,
    judges: [...matrix.judges],
    folds: r.folds,
    seed: r.seed,
    best: r.best,
    entries,
    scatter: oof ? { strategy: best.name, ...scatterPoints(matrix, folder.gold, oof) } : null,
    judgeErrors: judgeErrors(matrix, folder.gold),
    profile: profile ? { strategy: best.name, judges: profile } : null,
    abstentions: judgeAbstentions(matrix, abstentions),
  };
}

/** A saved document of this kind, restored by the rating registry; another kind's is refused. */
function restoreRating(saved: SavedStrategy, file: string): { saved: Extract<SavedStrategy, { scale: unknown }>; fitted: FittedRating } {
  if (saved.kind !== KIND) throw wrongKind(file, saved.kind, KIND);
  let strategy: RatingStrategy;
  try {
    strategy = getRatingStrategy(saved.strategy);
  } catch (e) {
    if (e instanceof StrategyError) throw new InputError([{ file, field: 'strategy', message: e.message }]);
    throw e;
  }
  try {
    return { saved, fitted: strategy.load(saved.state, saved.scale) };
  } catch (e) {
    if (e instanceof StrategyStateError || e instanceof StrategyError) throw new InputError([{ file, field: 'state', message: e.message }]);
    throw e;
  }
}

/** Rating: {"id", "text"} items scored by judges on the task's scale, fused into a score with an interval. */
export const ratingPlugin: TaskKind<RatingTask, RatingFolder, RatingItem, RatingFusedLine, FittedRating> = {
  kind: KIND,
  title: KIND,
  prompt: ratingPrompt,
  runHelp: `Rating task ("kind": "${KIND}", "scale": {"min", "max"}): items {"id", "text"}; output
  {"id", "score", "interval": [low, high] (80%), "answers": [{"model", "output", "score", "abstain"?}], "cost"}`,
  strategyHelp: `                     Rating: ${DEFAULT_RUN_STRATEGY} (default), mean, trimmed-mean (item by item), or
                     judge-model (batch: each judge's bias and noise estimated without gold).`,
  unseenModelsWeighNeutral: false,
  refusedFlags: {
    // Rating strategies give each judge's bias, noise and weight or fallback place (the report's judge table), not what each judge's score added to one item's fused score.
    '--explain': 'rating strategies do not explain single decisions (the report\'s judge table gives each judge\'s bias, noise and weight, or place in the fallback order, in the best strategy)',
    // A fused score has no winner's probability; its interval says how sure it is.
    '--min-confidence': 'a fused score has no winner\'s probability to hold to a floor; each line\'s "interval" says how sure the score is',
  },
  run: (task) => ratingKind(task),
  defaultStrategy: () => DEFAULT_RUN_STRATEGY,
  strategyNames: () => RATING_STRATEGIES.map((s) => s.name),
  unsupervisedNames: () => RATING_STRATEGIES.filter((s) => !s.supervised).map((s) => s.name),
  // Stacking alone refuses a fold with one training item; the others (auto too) fit on any.
  itemsToScore: (_task, folds, names) => ratingItemsToScore(folds, names.includes(stackingRating.name) ? STACKING_MIN_TRAINING : 1),
  // Every rating strategy runs on any rating task.
  refusal: () => null,
  // Items that share a text stay in one fold (grouped folds): the texts are what the folds split.
  foldGroups: (items) => textGroupCount(items.map((it) => it.text)),
  ...ratingFolder,
  goldField: 'label',
  starter: ratingStarter,
  hasGold: (folder) => folder.gold.some((g) => Number.isFinite(g)),
  labelledItems: (folder) => folder.gold.filter((g) => Number.isFinite(g)).length,

  async evaluate(folder, options) {
    const { matrix, abstentions } = matrixOf(folder);
    const { gold } = folder;
    const wanted = (options.strategies ?? RATING_STRATEGIES.map((s) => s.name)).map((s) => (typeof s === 'string' ? getRatingStrategy(s) : (s as RatingStrategy)));
    // Refused as bad input before any fold is split, as `fusion eval --models` refuses it before any call.
    const short = foldsShortfall(ratingPlugin, folder.task, folderTable(folder.dir, 'items'), folder.items, options.folds, wanted.map((s) => s.name));
    if (short) throw short;
    const J = matrix.judges.length;
    const N = matrix.itemIds.length;
    const total = wanted.length + 1;
    const unread = judgeAbstentions(matrix, abstentions);
    const models = matrix.judges.map((judge, j): RatingModelEntry => ({
      ...entry(judge, gold, Float64Array.from({ length: N }, (_, i) => matrix.scores[i * J + j] as number), folder),
      abstentions: unread[j]?.counts ?? {},
    }));
    options.onProgress?.(1, total, 'judges');
    const predictions = new Map<string, OutOfFoldRatings>();
    const strategies = wanted.map((s, k): RatingStrategyEntry => {
      const oof = outOfFoldRatings(s, matrix, gold, { folds: options.folds, seed: options.seed });
      predictions.set(s.name, oof);
      let held = 0;
      let withGold = 0;
      let width = 0;
      for (let i = 0; i < N; i++) {
        const g = gold[i] as number;
        if (!Number.isFinite(g) || !Number.isFinite(oof.score[i] as number)) continue;
        withGold++;
        width += (oof.high[i] as number) - (oof.low[i] as number);
        if (g >= (oof.low[i] as number) - 1e-9 && g <= (oof.high[i] as number) + 1e-9) held++;
      }
      options.onProgress?.(k + 2, total, s.name);
      let calls = 0;
      if (oof.calls) for (let i = 0; i < N; i++) calls += oof.calls[i] as number;
      return {
        ...entry(s.name, gold, oof.score, folder),
        supervised: s.supervised,
        scoredOn: 'out-of-fold',
        intervalCoverage: withGold === 0 ? Number.NaN : held / withGold,
        intervalWidth: withGold === 0 ? Number.NaN : width / withGold,
        ...(oof.picks.length > 0 ? { picks: oof.picks } : {}),
        callsPerItem: oof.calls ? calls / Math.max(1, N) : J,
      };
    });
    let best: RatingStrategyEntry | null = null;
    for (const e of strategies) if (!best || e.spearman > best.spearman + 1e-12 || (Math.abs(e.spearman - best.spearman) <= 1e-12 && e.mae < best.mae)) best = e;
    const result: RatingEvalResult = {
      task: folder.task.name,
      kind: folder.kind,
      items: N,
      folds: options.folds,
      seed: options.seed,
      models,
      strategies,
      best: best?.name ?? null,
      // Every readable answer, each sample one: the unreadable ones are the abstentions.
      callsPerItem: (folder.responses.length - abstentions.length) / Math.max(1, N),
      // Every judge on every item, in the unit adaptive's calls are counted in (a judge asked, its samples with it).
      allCallsPerItem: J,
      rejected: abstentions.slice(0, 200).map(rejectedOf),
      extras: { scale: folder.task.scale, scoredItems: gold.reduce((n, g) => n + (Number.isFinite(g) ? 1 : 0), 0) },
    };
    const bestStrategy = wanted.find((s) => s.name === result.best);
    const costs = options.report?.costs;
    let data: RatingReportData | undefined;
    const pageData = (): RatingReportData => (data ??= reportData(folder, matrix, abstentions, result, bestStrategy as RatingStrategy, predictions.get(result.best ?? ''), costs ?? []));
    const page = costs && bestStrategy ? { page: { data: pageData, html: () => renderRatingHtml(pageData()) } } : {};
    return { result, leaderboard: () => leaderboard(result), markdown: () => markdown(result), ...page };
  },

  strategyToFit(name, _folder, targets) {
    const strategy = getRatingStrategy(name);
    if (targets === undefined) return strategy;
    if (strategy.name !== adaptiveRating.name) throw new TargetError('--max-loss, --max-calls and --max-cost are targets of --strategy adaptive');
    if (targets.textCheckpoint) throw new TargetError('--text-checkpoint is an option of the label policy: a rating policy asks judges from the first call');
    if (targets.maxLoss !== undefined || targets.maxCost !== undefined || targets.maxCalls === undefined) {
      throw new TargetError('the adaptive rating policy takes --max-calls (judges per item on average); --max-loss and --max-cost are targets of the label policy');
    }
    return ratingStrategy(createAdaptiveRating({ maxCalls: targets.maxCalls }));
  },

  fitSaved(folder, which, seed) {
    const strategy = which as RatingStrategy;
    const { matrix } = matrixOf(folder);
    if (strategy.supervised && !folder.gold.some((g) => Number.isFinite(g))) throw new StrategyError(`${strategy.name} learns from gold scores, but no item in ${folder.dir} has one`);
    const fitted = strategy.fit(matrix, folder.gold, { seed });
    const saved: SavedStrategy = {
      format: SAVED_STRATEGY_FORMAT,
      version: SAVED_STRATEGY_VERSION,
      kind: folder.kind,
      strategy: strategy.name,
      task: folder.task.name,
      models: [...matrix.judges],
      createdAt: new Date().toISOString(),
      scale: { ...folder.task.scale },
      labels: [],
      state: fitted.state(),
    };
    const picked = fitted.picked?.();
    return { saved, state: picked === undefined ? fitted.state() : { picked } };
  },

  // The jury's usual rule stands for the vote and the latent-quality model for Dawid-Skene.
  quality: { metric: 'Spearman', score: (e) => (e as RatingEntry).spearman, counterparts: { 'majority-vote': 'mean', 'dawid-skene': 'judge-model' } },
  headline: (e) => {
    const r = e as RatingEntry;
    return `Spearman ${r.spearman.toFixed(3)}, MAE ${r.mae.toFixed(3)}, coverage ${r.coverage.toFixed(3)}${r.intervalCoverage === undefined ? '' : `, 80% interval holds gold ${r.intervalCoverage.toFixed(3)}`}`;
  },

  restoreSaved: (saved, file) => restoreRating(saved, file).fitted,

  loadSaved(file, task) {
    const { saved, fitted } = restoreRating(readSavedDocument(file), file);
    if (saved.scale.min !== task.scale.min || saved.scale.max !== task.scale.max) {
      throw new InputError([{ file, field: 'scale', message: `the strategy was fitted on the scale ${saved.scale.min}-${saved.scale.max} but the task's is ${task.scale.min}-${task.scale.max}` }]);
    }
    const fuserOf = (f: FittedRating): RatingStreamFuser =>
      ratingFuser(saved.strategy, 1, (m) => f.predict(m), saved.models, f.policy, f.withMaxCalls ? (maxCalls) => fuserOf((f.withMaxCalls as (c: number) => FittedRating).call(f, maxCalls)) : undefined);
    return fuserOf(fitted);
  },

  namedFuser(name, _task, batchSize) {
    const strategy = getRatingStrategy(name);
    if (strategy.supervised) throw new StrategyError(`${name} learns from gold scores: fit it on a rated folder first (fusion fit <folder> --strategy ${name} --out strategy.json) and pass --strategy strategy.json`);
    // Unsupervised: fitted on each batch's own scores (no gold), as label strategies are.
    return ratingFuser(name, Math.max(1, batchSize), (m) => strategy.fit(m, new Float64Array(m.itemIds.length).fill(Number.NaN), { seed: 1 }).predict(m));
  },
};
